//! Reading screening files as they really come: UTF-8 with or without a byte-order
//! mark, CRLF line ends, GB18030/GBK (the default of Chinese Excel), `.xlsx`
//! workbooks, dates as `2025-05-10`, `2025/5/10` or Excel serial numbers, and common
//! Chinese header names.
//!
//! Every front end (`screen`, `explain`, `report`) reads through [`open`], which
//! yields the header (mapped to exchange-format names through [`HEADER_ALIASES`]) and
//! raw rows as [`csv::ByteRecord`]s; [`Decoder::decode`] turns one row into cells
//! for the core parser plus DQ-PARSE-1 findings for bytes that cannot be decoded.
//!
//! * CSV is streamed (bounded memory) in every encoding: GB18030 never uses the
//!   bytes of `,` `"` CR LF inside a multi-byte character, so the CSV structure is
//!   parsed on the raw bytes and each cell is decoded on its own. An undecodable
//!   cell is passed to the core as empty (its field unknown) with a DQ-PARSE-1
//!   finding naming line and column; it is written empty in the output, never with
//!   U+FFFD pasted in.
//! * `.xlsx`/`.xlsm`/`.xls`/`.ods` workbooks are read with `calamine` (the whole
//!   sheet is held in memory, as the format requires).
//! * Date normalisation happens here, in the front end, for the columns of kind
//!   date only (`screen_date`, `birth_date`, …): the core's parser stays ISO-only.

use crate::screen::InputError;
use anyhow::Result;
use cvdscreen::exchange::{Col, Header, Kind, DQ_PARSE_1};
use cvdscreen::finding::{Finding, Severity};
use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Text encoding of a CSV input (`--encoding`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Encoding {
    /// Detect: a UTF-8 or GB18030 byte-order mark decides; otherwise UTF-8 when the
    /// start of the file is valid UTF-8, else GB18030 when it decodes cleanly as
    /// GB18030, else UTF-8.
    #[default]
    Auto,
    /// UTF-8 (a leading byte-order mark is ignored).
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312).
    Gb18030,
    /// GBK: read as GB18030, its superset.
    Gbk,
}

/// Command-line options for reading an input file (flattened into subcommands).
#[derive(clap::Args, Debug, Clone, Default)]
pub struct InputArgs {
    /// Text encoding of a CSV input: `auto` (default), `utf-8`, `gb18030` or `gbk`.
    #[arg(long, value_enum, default_value_t = Encoding::Auto)]
    pub encoding: Encoding,
    /// Worksheet of an `.xlsx` input (default: the first sheet).
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

/// The two decodings the reader knows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8.
    Utf8,
    /// GB18030 (GBK).
    Gb18030,
}

impl TextEncoding {
    fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gb18030 => "GB18030",
        }
    }
}

/// What kind of file was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A CSV file in the given encoding (`detected`: chosen by `--encoding auto`).
    Csv {
        /// The encoding used.
        encoding: TextEncoding,
        /// True when detected rather than given.
        detected: bool,
    },
    /// A worksheet of a workbook.
    Sheet {
        /// The sheet name.
        name: String,
    },
}

/// A header cell renamed through [`HEADER_ALIASES`] (or a case fold).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Renamed {
    /// Position in the header.
    pub position: usize,
    /// The name as given in the file.
    pub from: String,
    /// The exchange-format name used.
    pub to: &'static str,
}

/// An opened input: header plus a stream of raw rows.
pub struct RowSource {
    path: PathBuf,
    kind: SourceKind,
    header: Header,
    renamed: Vec<Renamed>,
    decoder: Decoder,
    inner: Inner,
}

enum Inner {
    Csv(Box<csv::Reader<File>>),
    Sheet {
        range: calamine::Range<calamine::Data>,
        /// Next row index within `range` (0 is the header).
        next: usize,
        /// Columns up to the last named header cell.
        width: usize,
        /// Worksheet row number of range row 0 (1-based).
        first_row: u64,
    },
}

/// Opens `path` (CSV in any accepted encoding, or a workbook by its extension) and
/// reads its header. Errors (exit code 2) when the file cannot be read, is empty,
/// has no header, or lacks the `id` column (after aliases).
pub fn open(path: &Path, opts: &InputArgs) -> Result<RowSource> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let src = if matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods") {
        open_sheet(path, opts.sheet.as_deref())?
    } else {
        open_csv(path, opts.encoding)?
    };
    src.check_header()?;
    Ok(src)
}

fn input_error(msg: String) -> anyhow::Error {
    anyhow::Error::new(InputError(msg))
}

fn open_file(path: &Path) -> Result<File> {
    File::open(path).map_err(|e| {
        anyhow::Error::new(e).context(InputError(format!(
            "cannot open input file `{}`",
            path.display()
        )))
    })
}

/// Read buffer of the CSV reader: 64 KiB instead of the crate's 8 KiB, so that a
/// large file (read two or three times) takes an eighth of the `read` calls.
const CSV_BUFFER_BYTES: usize = 1 << 16;

fn csv_reader(file: File) -> csv::Reader<File> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .buffer_capacity(CSV_BUFFER_BYTES)
        .from_reader(file)
}

fn open_csv(path: &Path, want: Encoding) -> Result<RowSource> {
    let (encoding, detected) = match want {
        Encoding::Utf8 => (TextEncoding::Utf8, false),
        Encoding::Gb18030 | Encoding::Gbk => (TextEncoding::Gb18030, false),
        Encoding::Auto => (detect_encoding(path)?, true),
    };
    let mut rdr = csv_reader(open_file(path)?);
    let raw = rdr.byte_headers().map_err(|e| read_error(e, path))?.clone();
    let mut names = Vec::with_capacity(raw.len());
    for (i, b) in raw.iter().enumerate() {
        let b = if i == 0 { strip_bom(b, encoding) } else { b };
        match decode_bytes(b, encoding) {
            Some(s) => names.push(s.into_owned()),
            None => {
                return Err(input_error(format!(
                    "`{}`: header column {} (`{}`) cannot be decoded as {}{}",
                    path.display(),
                    i + 1,
                    escape_bytes(b),
                    encoding.name(),
                    "; give the file's encoding with --encoding utf-8|gb18030"
                )))
            }
        }
    }
    let kind = SourceKind::Csv { encoding, detected };
    Ok(RowSource::new(
        path,
        kind,
        &names,
        encoding,
        Inner::Csv(Box::new(rdr)),
    ))
}

fn strip_bom(b: &[u8], enc: TextEncoding) -> &[u8] {
    match enc {
        TextEncoding::Utf8 => b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b),
        TextEncoding::Gb18030 => b.strip_prefix(b"\x84\x31\x95\x33").unwrap_or(b),
    }
}

/// Bytes read past the first non-ASCII byte before the encoding is decided.
const DETECT_AFTER_NON_ASCII: usize = 256 * 1024;
/// At most this much of the file is inspected.
const DETECT_MAX: usize = 64 * 1024 * 1024;

/// Chooses the encoding of a CSV file from its byte-order mark or its first
/// non-ASCII text (see [`Encoding::Auto`]).
pub fn detect_encoding(path: &Path) -> Result<TextEncoding> {
    let mut f = open_file(path)?;
    // Memory stays bounded: ASCII blocks before the first non-ASCII byte are read
    // and dropped; the sample starts at the line holding that byte.
    let mut sample = Vec::new();
    let mut block = vec![0u8; 1 << 20];
    let mut head: Option<[u8; 4]> = None;
    let (mut read, mut eof) = (0usize, false);
    loop {
        let n = f.read(&mut block).map_err(|e| {
            anyhow::Error::new(e).context(InputError(format!("cannot read `{}`", path.display())))
        })?;
        if n == 0 {
            eof = true;
            break;
        }
        let b = &block[..n];
        if head.is_none() {
            let mut h = [0u8; 4];
            let k = n.min(4);
            h[..k].copy_from_slice(&b[..k]);
            head = Some(h);
            if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
                return Err(input_error(format!(
                    "`{}` is UTF-16 text (Excel \"Unicode text\"); save it as CSV UTF-8 or CSV (GB18030/GBK), or as .xlsx",
                    path.display()
                )));
            }
            if b.starts_with(b"\xEF\xBB\xBF") {
                return Ok(TextEncoding::Utf8);
            }
            if b.starts_with(b"\x84\x31\x95\x33") {
                return Ok(TextEncoding::Gb18030);
            }
        }
        read += n;
        if sample.is_empty() {
            // `is_ascii` tests a word at a time: the byte search only when it fails.
            if let Some(p) = (!b.is_ascii())
                .then(|| b.iter().position(|c| !c.is_ascii()))
                .flatten()
            {
                let line = b[..p]
                    .iter()
                    .rposition(|&c| c == b'\n')
                    .map_or(0, |q| q + 1);
                sample.extend_from_slice(&b[line..]);
            }
        } else {
            sample.extend_from_slice(b);
        }
        if read >= DETECT_MAX || sample.len() >= DETECT_AFTER_NON_ASCII {
            break;
        }
    }
    Ok(detect_bytes(&sample, eof))
}

/// The decision of [`detect_encoding`] on a sample (`complete`: the whole file).
pub fn detect_bytes(sample: &[u8], complete: bool) -> TextEncoding {
    if sample.starts_with(b"\xEF\xBB\xBF") {
        return TextEncoding::Utf8;
    }
    if sample.starts_with(b"\x84\x31\x95\x33") {
        return TextEncoding::Gb18030;
    }
    // Cut a partial sample at its last line end: neither encoding uses LF inside a
    // character, so the cut never splits one.
    let sample = if complete {
        sample
    } else {
        match sample.iter().rposition(|&b| b == b'\n') {
            Some(p) => &sample[..=p],
            None => sample,
        }
    };
    if std::str::from_utf8(sample).is_ok() {
        return TextEncoding::Utf8;
    }
    if encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(sample)
        .is_some()
    {
        // Stray Latin-1 bytes in a UTF-8 file often form valid GBK pairs; a file
        // whose non-ASCII text is mostly valid UTF-8 stays UTF-8 (the stray bytes
        // become DQ-PARSE-1 findings).
        let (mut valid, mut invalid) = (0usize, 0usize);
        for chunk in sample.utf8_chunks() {
            valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
            invalid += usize::from(!chunk.invalid().is_empty());
        }
        if valid >= 4 * invalid {
            return TextEncoding::Utf8;
        }
        return TextEncoding::Gb18030;
    }
    TextEncoding::Utf8
}

fn read_error(e: csv::Error, path: &Path) -> anyhow::Error {
    let at = e
        .position()
        .map(|p| format!(" at line {}", p.line()))
        .unwrap_or_default();
    anyhow::Error::new(e).context(InputError(format!("cannot read `{}`{at}", path.display())))
}

fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<RowSource> {
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| {
        anyhow::Error::new(e).context(InputError(format!(
            "cannot open workbook `{}`",
            path.display()
        )))
    })?;
    let names = wb.sheet_names();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(input_error(format!(
                    "`{}` has no sheet `{s}`; its sheets are: {}",
                    path.display(),
                    names.join(", ")
                )));
            }
            s.to_string()
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| input_error(format!("`{}` holds no worksheet", path.display())))?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| {
        anyhow::Error::new(e).context(InputError(format!(
            "cannot read sheet `{name}` of `{}`",
            path.display()
        )))
    })?;
    let first_row = u64::from(range.start().map(|s| s.0).unwrap_or(0)) + 1;
    let header_cells: Vec<String> = range
        .rows()
        .next()
        .map(|r| r.iter().map(sheet_cell_text).collect())
        .unwrap_or_default();
    let width = header_cells
        .iter()
        .rposition(|n| !n.trim().is_empty())
        .map_or(0, |p| p + 1);
    let names = &header_cells[..width];
    let kind = SourceKind::Sheet { name };
    Ok(RowSource::new(
        path,
        kind,
        names,
        TextEncoding::Utf8,
        Inner::Sheet {
            range,
            next: 1,
            width,
            first_row,
        },
    ))
}

/// The text of a worksheet cell: numbers in shortest form (`61`, not `61.0`),
/// dates as ISO `YYYY-MM-DD` (with `THH:MM:SS` when there is a time of day),
/// booleans as `true`/`false`, errors as Excel shows them (`#N/A`).
pub fn sheet_cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::Error(e) => e.to_string(),
        Data::DateTime(dt) => {
            if dt.is_duration() {
                return number_text(dt.as_f64());
            }
            let (y, mo, da, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{da:02}")
            } else {
                format!("{y:04}-{mo:02}-{da:02}T{h:02}:{mi:02}:{s:02}")
            }
        }
    }
}

fn number_text(f: f64) -> String {
    if f.is_finite() && f == f.trunc() && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl RowSource {
    fn new<S: AsRef<str>>(
        path: &Path,
        kind: SourceKind,
        names: &[S],
        encoding: TextEncoding,
        inner: Inner,
    ) -> RowSource {
        let (mapped, renamed) = map_header(names);
        let header = Header::new(&mapped);
        let decoder = Decoder::new(&header, encoding, matches!(kind, SourceKind::Sheet { .. }));
        RowSource {
            path: path.to_path_buf(),
            kind,
            header,
            renamed,
            decoder,
            inner,
        }
    }

    fn check_header(&self) -> Result<()> {
        let path = self.path.display();
        if self.header.names().iter().all(|n| n.is_empty()) {
            return Err(input_error(format!(
                "`{path}` is empty: no header row (the first row must name the columns, e.g. `id,sex,age,...`)"
            )));
        }
        if self.header.position(Col::Id).is_none() {
            return Err(input_error(format!(
                "`{path}`: required column `id` missing from the header (columns are matched exactly, case-sensitive; `编号`, `ID` and the other names of the \"Accepted inputs\" table are accepted too)"
            )));
        }
        Ok(())
    }

    /// The header, with names mapped to the exchange format.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// True for CSV (positions are bytes), false for a worksheet (rows).
    pub fn is_csv(&self) -> bool {
        matches!(self.kind, SourceKind::Csv { .. })
    }

    /// The decoder for this source's rows (shareable across threads).
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// One line describing how the file is read, e.g. `GB18030 CSV (detected)`.
    pub fn describe(&self) -> String {
        match &self.kind {
            SourceKind::Csv { encoding, detected } => format!(
                "{} CSV{}",
                encoding.name(),
                if *detected { " (detected)" } else { "" }
            ),
            SourceKind::Sheet { name } => format!("worksheet `{name}`"),
        }
    }

    /// A note for standard error when the file is not read as plain UTF-8 CSV with
    /// exchange-format names: the encoding or sheet, and the header names mapped.
    pub fn note(&self) -> Option<String> {
        let plain = matches!(
            self.kind,
            SourceKind::Csv {
                encoding: TextEncoding::Utf8,
                ..
            }
        );
        if plain && self.renamed.is_empty() {
            return None;
        }
        let mut s = format!(
            "note: reading `{}` as {}",
            self.path.display(),
            self.describe()
        );
        if !self.renamed.is_empty() {
            let list: Vec<String> = self
                .renamed
                .iter()
                .map(|r| format!("{} → {}", r.from, r.to))
                .collect();
            s.push_str(&format!("; columns read as: {}", list.join(", ")));
        }
        Some(s)
    }

    /// Reads the next data row into `rec` (raw bytes; decode with
    /// [`Decoder::decode`]). Blank lines and empty sheet rows are skipped. The
    /// record's position carries the file line (CSV) or the sheet row.
    pub fn read_record(&mut self, rec: &mut csv::ByteRecord) -> Result<bool> {
        match &mut self.inner {
            Inner::Csv(rdr) => rdr
                .read_byte_record(rec)
                .map_err(|e| read_error(e, &self.path)),
            Inner::Sheet {
                range,
                next,
                width,
                first_row,
            } => loop {
                let h = range.height();
                if *next >= h {
                    return Ok(false);
                }
                let i = *next;
                *next += 1;
                let Some(row) = range.rows().nth(i) else {
                    return Ok(false);
                };
                let texts: Vec<String> = row.iter().map(sheet_cell_text).collect();
                if texts.iter().all(|t| t.is_empty()) {
                    continue;
                }
                // Cells beyond the header count only when filled.
                let used = texts
                    .iter()
                    .rposition(|t| !t.is_empty())
                    .map_or(0, |p| p + 1)
                    .max(*width);
                rec.clear();
                for t in &texts[..used] {
                    rec.push_field(t.as_bytes());
                }
                let mut pos = csv::Position::new();
                pos.set_line(*first_row + i as u64);
                rec.set_position(Some(pos));
                return Ok(true);
            },
        }
    }

    /// The input file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes read so far (CSV) or rows read so far (sheet), for progress bars.
    pub fn position(&self) -> u64 {
        match &self.inner {
            Inner::Csv(rdr) => rdr.position().byte(),
            Inner::Sheet { next, .. } => *next as u64,
        }
    }

    /// Starts again at the first data row (for a second pass).
    pub fn rewind(&mut self) -> Result<()> {
        match &mut self.inner {
            Inner::Csv(rdr) => {
                let mut r = csv_reader(open_file(&self.path)?);
                r.byte_headers().map_err(|e| read_error(e, &self.path))?;
                **rdr = r;
            }
            Inner::Sheet { next, .. } => *next = 1,
        }
        Ok(())
    }
}

/// Turns raw rows into cells: decodes each cell, normalises date columns, and
/// reports undecodable cells as DQ-PARSE-1.
#[derive(Clone, Debug)]
pub struct Decoder {
    encoding: TextEncoding,
    names: Vec<String>,
    /// Positions of the date columns.
    date_cols: Vec<usize>,
    sheet: bool,
}

/// One decoded row.
pub struct Decoded<'a> {
    /// Cell texts for the core parser and the output (undecodable cells empty).
    pub cells: Vec<Cow<'a, str>>,
    /// DQ-PARSE-1 findings for undecodable cells, naming line and column.
    pub findings: Vec<Finding>,
}

impl Decoder {
    fn new(header: &Header, encoding: TextEncoding, sheet: bool) -> Decoder {
        let date_cols = (0..header.len())
            .filter(|&i| header.col(i).is_some_and(|c| c.kind() == Kind::Date))
            .collect();
        Decoder {
            encoding,
            names: header.names().to_vec(),
            date_cols,
            sheet,
        }
    }

    /// Decodes one cell; `None` when its bytes are not valid in the encoding.
    pub fn cell<'a>(&self, bytes: &'a [u8]) -> Option<Cow<'a, str>> {
        decode_bytes(bytes, self.encoding)
    }

    /// Decodes a row: cells (date columns normalised to ISO) and DQ-PARSE-1
    /// findings for undecodable cells, which are given as empty.
    pub fn decode<'a>(&self, rec: &'a csv::ByteRecord) -> Decoded<'a> {
        let mut cells = Vec::new();
        let findings = self.decode_into(rec, &mut cells);
        Decoded { cells, findings }
    }

    /// As [`decode`](Self::decode), writing the cells into `cells` (cleared first, its
    /// capacity reused from row to row) and returning the findings.
    pub fn decode_into<'a>(
        &self,
        rec: &'a csv::ByteRecord,
        cells: &mut Vec<Cow<'a, str>>,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        cells.clear();
        // The fields of a row are contiguous in `rec.as_slice()`. When the whole row
        // decodes as one string (valid UTF-8; or, read as GB18030, all ASCII, which is
        // the same text), a field is a slice of it whenever both its ends fall on
        // character boundaries — exactly when the field alone is valid. One validation
        // per row instead of one per cell; any other field is decoded on its own.
        let whole = match self.encoding {
            TextEncoding::Utf8 => std::str::from_utf8(rec.as_slice()).ok(),
            TextEncoding::Gb18030 => Some(rec.as_slice())
                .filter(|b| b.is_ascii())
                .and_then(|b| std::str::from_utf8(b).ok()),
        };
        cells.reserve(rec.len());
        let mut start = 0;
        for (i, b) in rec.iter().enumerate() {
            let end = start + b.len();
            let sliced = whole.and_then(|w| w.get(start..end));
            start = end;
            cells.push(match sliced {
                Some(c) => Cow::Borrowed(c),
                None => self.cell(b).unwrap_or_else(|| {
                    findings.push(self.undecodable(rec, i, b));
                    Cow::Borrowed("")
                }),
            });
        }
        // Date columns normalised to ISO (an undecodable cell is empty: left as is).
        for &i in &self.date_cols {
            if let Some(iso) = cells.get(i).and_then(|c| normalise_date(c)) {
                cells[i] = Cow::Owned(iso);
            }
        }
        findings
    }

    fn undecodable(&self, rec: &csv::ByteRecord, i: usize, b: &[u8]) -> Finding {
        let column = self
            .names
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("(column {})", i + 1));
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let (where_en, where_zh) = if self.sheet {
            (format!("row {line}"), format!("第 {line} 行"))
        } else {
            (format!("line {line}"), format!("第 {line} 行"))
        };
        let value = escape_bytes(b);
        let enc = self.encoding.name();
        Finding::new(
            DQ_PARSE_1,
            Severity::Reject,
            column.clone(),
            Some(value.clone()),
            format!(
                "{where_en}, column `{column}`: `{value}` is not valid {enc} text; the cell is read as empty (give the file's encoding with --encoding)"
            ),
            format!(
                "{where_zh}，列 `{column}`：`{value}` 不是有效的 {enc} 文本，该单元格按空值处理（可用 --encoding 指定文件编码）"
            ),
        )
    }
}

fn decode_bytes(b: &[u8], enc: TextEncoding) -> Option<Cow<'_, str>> {
    match enc {
        TextEncoding::Utf8 => std::str::from_utf8(b).ok().map(Cow::Borrowed),
        TextEncoding::Gb18030 => {
            if b.is_ascii() {
                // ASCII is ASCII in GB18030; skip the decoder.
                std::str::from_utf8(b).ok().map(Cow::Borrowed)
            } else {
                encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(b)
            }
        }
    }
}

/// Printable ASCII as is, every other byte as `\xNN` (exact, for messages).
pub fn escape_bytes(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for &c in b {
        if (0x20..0x7f).contains(&c) && c != b'\\' {
            s.push(c as char);
        } else {
            s.push_str(&format!("\\x{c:02X}"));
        }
    }
    s
}

/// Excel's largest serial date (9999-12-31).
const EXCEL_MAX_SERIAL: i64 = 2_958_465;

/// Normalises a date cell to ISO `YYYY-MM-DD`; `None` when the cell is already ISO,
/// empty, or in no accepted form (the core then raises DQ-PARSE-1 on it).
///
/// Accepted: `2025/5/10`, `2025-5-10`, `2025.5.10`, `2025年5月10日` (each with an
/// optional time of day after a space or `T`, which is dropped), `20250510`, and
/// Excel serial day numbers of the 1900 date system (`45787` = 2025-05-10;
/// `45787.5` = noon that day; serial 60, Excel's nonexistent 1900-02-29, is refused).
pub fn normalise_date(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || cvdscreen::date::Date::parse_iso(s).is_ok() {
        return None;
    }
    let iso = |y: i32, m: u32, d: u32| -> Option<String> {
        let (m, d) = (u8::try_from(m).ok()?, u8::try_from(d).ok()?);
        let date = cvdscreen::date::Date::new(y, m, d).ok()?;
        Some(date.to_string())
    };
    let b = s.as_bytes();
    // Excel serial (1900 date system) or YYYYMMDD.
    if b[0].is_ascii_digit()
        && s.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && s.bytes().filter(|&c| c == b'.').count() <= 1
    {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        if !frac.bytes().all(|c| c.is_ascii_digit()) || int.is_empty() {
            return None;
        }
        if int.len() == 8 && frac.is_empty() {
            let y = int[..4].parse().ok()?;
            return iso(y, int[4..6].parse().ok()?, int[6..].parse().ok()?);
        }
        let n: i64 = int.parse().ok()?;
        if !(1..=EXCEL_MAX_SERIAL).contains(&n) || n == 60 {
            return None;
        }
        // Serial 1 = 1900-01-01; serials after 60 count Excel's fictitious
        // 1900-02-29, so they are one day ahead of the real calendar.
        let base = cvdscreen::date::Date::new(1899, 12, 31).ok()?;
        let days = if n > 60 { n - 1 } else { n };
        return Some(base.add_days(days).to_string());
    }
    // Y/M/D with separators, optionally followed by a time of day.
    let date_part = s
        .split([' ', 'T'])
        .next()
        .unwrap_or(s)
        .trim_end_matches('日');
    let parts: Vec<&str> = date_part.split(['/', '-', '.', '年', '月']).collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|c| c.is_ascii_digit()))
        || parts[1].len() > 2
        || parts[2].len() > 2
    {
        return None;
    }
    iso(
        parts[0].parse().ok()?,
        parts[1].parse().ok()?,
        parts[2].parse().ok()?,
    )
}

/// The header alias table: `(accepted name, exchange-format name)`. Names are
/// compared after [`alias_key`] (surrounding spaces and a byte-order mark removed,
/// full-width brackets made ASCII, inner spaces removed, ASCII lower-cased). A name
/// that is already an exchange-format name (exactly, or after lower-casing, e.g.
/// `ID`, `SBP_1`) is used as such; a trailing unit that does not change the meaning
/// (`(岁)`, `(mmHg)`, `(cm)`, `(kg)`, `(%)`, …, see [`NEUTRAL_UNITS`]) is ignored.
/// Lipids and glucose without a unit are taken as mmol/L, the unit of Chinese
/// laboratory reports; with `(mg/dL)` they map to the `_mgdl` columns.
///
/// The README's "Accepted inputs" section mirrors this table (a test checks it).
pub const HEADER_ALIASES: &[(&str, &str)] = &[
    ("编号", "id"),
    ("受检者编号", "id"),
    ("个人编号", "id"),
    ("档案编号", "id"),
    ("筛查点", "site_id"),
    ("筛查点编号", "site_id"),
    ("筛查日期", "screen_date"),
    ("检查日期", "screen_date"),
    ("性别", "sex"),
    ("年龄", "age"),
    ("出生日期", "birth_date"),
    ("身份证号", "id_number"),
    ("身份证号码", "id_number"),
    ("收缩压1", "sbp_1"),
    ("舒张压1", "dbp_1"),
    ("收缩压2", "sbp_2"),
    ("舒张压2", "dbp_2"),
    ("收缩压3", "sbp_3"),
    ("舒张压3", "dbp_3"),
    ("第一次收缩压", "sbp_1"),
    ("第一次舒张压", "dbp_1"),
    ("第二次收缩压", "sbp_2"),
    ("第二次舒张压", "dbp_2"),
    ("第三次收缩压", "sbp_3"),
    ("第三次舒张压", "dbp_3"),
    ("收缩压", "sbp"),
    ("舒张压", "dbp"),
    ("身高", "height_cm"),
    ("体重", "weight_kg"),
    ("腰围", "waist_cm"),
    ("臀围", "hip_cm"),
    ("体重指数", "bmi"),
    ("总胆固醇", "tc_mmol"),
    ("总胆固醇(mmol/l)", "tc_mmol"),
    ("总胆固醇(mg/dl)", "tc_mgdl"),
    ("tc(mmol/l)", "tc_mmol"),
    ("tc(mg/dl)", "tc_mgdl"),
    ("高密度脂蛋白胆固醇", "hdl_mmol"),
    ("高密度脂蛋白胆固醇(mmol/l)", "hdl_mmol"),
    ("高密度脂蛋白胆固醇(mg/dl)", "hdl_mgdl"),
    ("hdl-c(mmol/l)", "hdl_mmol"),
    ("hdl-c(mg/dl)", "hdl_mgdl"),
    ("低密度脂蛋白胆固醇", "ldl_mmol"),
    ("低密度脂蛋白胆固醇(mmol/l)", "ldl_mmol"),
    ("低密度脂蛋白胆固醇(mg/dl)", "ldl_mgdl"),
    ("ldl-c(mmol/l)", "ldl_mmol"),
    ("ldl-c(mg/dl)", "ldl_mgdl"),
    ("甘油三酯", "tg_mmol"),
    ("甘油三酯(mmol/l)", "tg_mmol"),
    ("甘油三酯(mg/dl)", "tg_mgdl"),
    ("tg(mmol/l)", "tg_mmol"),
    ("tg(mg/dl)", "tg_mgdl"),
    ("空腹血糖", "fbg_mmol"),
    ("空腹血糖(mmol/l)", "fbg_mmol"),
    ("空腹血糖(mg/dl)", "fbg_mgdl"),
    ("吸烟", "current_smoker"),
    ("现在吸烟", "current_smoker"),
    ("糖尿病", "diabetes"),
    ("服用降压药", "bp_treated"),
    ("服用降脂药", "lipid_treated"),
    ("服用降糖药", "glucose_treated"),
    ("心肌梗死史", "history_mi"),
    ("缺血性脑卒中史", "history_ischaemic_stroke"),
    ("出血性脑卒中史", "history_haemorrhagic_stroke"),
    ("心脑血管病家族史", "family_history_ascvd"),
    ("糖化血红蛋白", "hba1c_pct"),
    ("肌酐", "creatinine_umol"),
    ("知情同意", "consent"),
];

/// Units ignored at the end of a header name (after [`alias_key`]), because they
/// are the exchange format's own unit of the column.
pub const NEUTRAL_UNITS: &[&str] = &[
    "(岁)",
    "(mmhg)",
    "(cm)",
    "(厘米)",
    "(kg)",
    "(公斤)",
    "(千克)",
    "(kg/m2)",
    "(kg/m²)",
    "(%)",
    "(μmol/l)",
    "(µmol/l)",
    "(umol/l)",
];

/// The comparison form of a header name (see [`HEADER_ALIASES`]).
pub fn alias_key(name: &str) -> String {
    name.trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '［' | '【' => '[',
            '］' | '】' => ']',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The exchange-format column a header name stands for, if any (exact names
/// included).
pub fn resolve_name(name: &str) -> Option<&'static str> {
    let trimmed = name.trim().trim_start_matches('\u{feff}').trim();
    if let Some(c) = Col::from_name(trimmed) {
        return Some(c.name());
    }
    let key = alias_key(name);
    let lookup = |k: &str| {
        Col::from_name(k).map(Col::name).or_else(|| {
            HEADER_ALIASES
                .iter()
                .find(|(a, _)| *a == k)
                .map(|(_, to)| *to)
        })
    };
    if let Some(to) = lookup(&key) {
        return Some(to);
    }
    NEUTRAL_UNITS
        .iter()
        .find_map(|u| key.strip_suffix(u))
        .and_then(lookup)
}

/// Maps header names to exchange-format names. A column whose target is already
/// present (by exact name or an earlier alias) keeps its own name and is carried
/// through, so no input column is silently dropped or doubled.
pub fn map_header<S: AsRef<str>>(names: &[S]) -> (Vec<String>, Vec<Renamed>) {
    let exact: std::collections::HashSet<&str> = names
        .iter()
        .filter_map(|n| Col::from_name(n.as_ref().trim().trim_start_matches('\u{feff}').trim()))
        .map(Col::name)
        .collect();
    let mut taken = exact.clone();
    let mut renamed = Vec::new();
    let mapped = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let n = n.as_ref();
            let plain = n.trim().trim_start_matches('\u{feff}').trim();
            if exact.contains(plain) {
                return n.to_string();
            }
            match resolve_name(n) {
                Some(to) if taken.insert(to) => {
                    renamed.push(Renamed {
                        position: i,
                        from: plain.to_string(),
                        to,
                    });
                    to.to_string()
                }
                _ => n.to_string(),
            }
        })
        .collect();
    (mapped, renamed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_their_accepted_forms() {
        assert_eq!(normalise_date("2025/5/10").as_deref(), Some("2025-05-10"));
        assert_eq!(normalise_date("2025-5-1").as_deref(), Some("2025-05-01"));
        assert_eq!(normalise_date("2025.05.10").as_deref(), Some("2025-05-10"));
        assert_eq!(
            normalise_date("2025年5月10日").as_deref(),
            Some("2025-05-10")
        );
        assert_eq!(
            normalise_date("2025/5/10 0:00").as_deref(),
            Some("2025-05-10")
        );
        assert_eq!(normalise_date("20250510").as_deref(), Some("2025-05-10"));
        // Excel 1900 system: 45787 = 2025-05-10; 61 = 1900-03-01; 59 = 1900-02-28.
        assert_eq!(normalise_date("45787").as_deref(), Some("2025-05-10"));
        assert_eq!(normalise_date("45787.75").as_deref(), Some("2025-05-10"));
        assert_eq!(normalise_date("61").as_deref(), Some("1900-03-01"));
        assert_eq!(normalise_date("59").as_deref(), Some("1900-02-28"));
        assert_eq!(normalise_date("1").as_deref(), Some("1900-01-01"));
        assert_eq!(normalise_date("2958465").as_deref(), Some("9999-12-31"));
        // Left for the core to reject (DQ-PARSE-1) or already ISO.
        for s in [
            "2025-05-10",
            "",
            "60",
            "0",
            "2958466",
            "2025/13/1",
            "2025/2/30",
            "10/5/2025",
            "25/5/10",
            "abc",
            "20251340",
            "1.2.3",
            "45787.x",
        ] {
            assert_eq!(normalise_date(s), None, "{s}");
        }
    }

    #[test]
    fn header_aliases_map_to_known_columns() {
        for (alias, to) in HEADER_ALIASES {
            assert!(Col::from_name(to).is_some(), "{to}");
            assert_eq!(alias_key(alias), *alias, "table keys are in key form");
            assert_eq!(resolve_name(alias), Some(*to));
        }
        assert_eq!(resolve_name("ID"), Some("id"));
        assert_eq!(resolve_name("\u{feff}编号"), Some("id"));
        assert_eq!(resolve_name("总胆固醇（mg/dL）"), Some("tc_mgdl"));
        assert_eq!(resolve_name("总胆固醇 (mmol/L)"), Some("tc_mmol"));
        assert_eq!(resolve_name("年龄(岁)"), Some("age"));
        assert_eq!(resolve_name("收缩压1(mmHg)"), Some("sbp_1"));
        assert_eq!(resolve_name("身高(m)"), None);
        assert_eq!(resolve_name("备注"), None);
    }

    #[test]
    fn readme_mirrors_the_alias_table() {
        let readme = include_str!("../../README.md");
        let section = &readme[readme.find("## Accepted inputs").expect("section")..];
        let mut rows = 0;
        for line in section.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let to = cells[0].trim_matches('`');
            for alias in cells[1].split(", ").map(|a| a.trim_matches('`')) {
                assert!(
                    HEADER_ALIASES.contains(&(alias, to)),
                    "README only: {alias} → {to}"
                );
                rows += 1;
            }
        }
        assert_eq!(
            rows,
            HEADER_ALIASES.len(),
            "every alias is in the README table"
        );
    }

    #[test]
    fn header_mapping_never_doubles_a_column() {
        let (m, r) = map_header(&["编号", "id", "性别", "SEX", "备注"]);
        assert_eq!(m, ["编号", "id", "sex", "SEX", "备注"]);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].position, r[0].to), (2, "sex"));
    }

    #[test]
    fn encoding_detection() {
        let gbk = encoding_rs::GBK.encode("编号,性别\nA1,男\n").0.into_owned();
        assert_eq!(detect_bytes(&gbk, true), TextEncoding::Gb18030);
        assert_eq!(
            detect_bytes("编号,性别\n".as_bytes(), true),
            TextEncoding::Utf8
        );
        assert_eq!(detect_bytes(b"id\nA\n", true), TextEncoding::Utf8);
        // A sample cut inside a UTF-8 character is still UTF-8.
        let cut = "id,x\n1,男\n2,女".as_bytes();
        assert_eq!(
            detect_bytes(&cut[..cut.len() - 1], false),
            TextEncoding::Utf8
        );
        // Mostly UTF-8 Chinese with one Latin-1 byte (a valid GBK pair): UTF-8.
        let mixed = [
            "编号,性别,备注\n1,男,北京市朝阳区\n2,女,上海\n".as_bytes(),
            b"3,m\xE4nnlich,x\n",
        ]
        .concat();
        assert_eq!(detect_bytes(&mixed, true), TextEncoding::Utf8);
        // Real GBK text with many characters stays GB18030.
        let text =
            "编号,性别,筛查点,备注\n1,男,北京市朝阳区,高血压家族史\n2,女,上海市浦东新区,无\n";
        let gbk = encoding_rs::GBK.encode(text).0.into_owned();
        assert_eq!(detect_bytes(&gbk, true), TextEncoding::Gb18030);
        // Neither: UTF-8 (the bad cells become findings).
        assert_eq!(detect_bytes(b"id\n\xFF\xFF\n", true), TextEncoding::Utf8);
    }

    #[test]
    fn undecodable_cells_become_findings_not_replacement_characters() {
        let h = Header::new(&["id", "sex", "note"]);
        let d = Decoder::new(&h, TextEncoding::Utf8, false);
        let mut rec = csv::ByteRecord::from(vec![&b"A1"[..], b"m\xE4nnlich", b"ok"]);
        let mut pos = csv::Position::new();
        pos.set_line(7);
        rec.set_position(Some(pos));
        let out = d.decode(&rec);
        assert_eq!(out.cells, ["A1", "", "ok"]);
        assert_eq!(out.findings.len(), 1);
        let f = &out.findings[0];
        assert_eq!((f.rule_id, f.field.as_str()), (DQ_PARSE_1, "sex"));
        assert!(
            f.message_en.starts_with("line 7, column `sex`"),
            "{}",
            f.message_en
        );
        assert!(f.message_en.contains("m\\xE4nnlich"), "{}", f.message_en);
        assert!(!f
            .masked_message(cvdscreen::finding::Lang::En)
            .contains("nnlich"));

        let g = Decoder::new(&h, TextEncoding::Gb18030, false);
        let male = encoding_rs::GBK.encode("男").0.into_owned();
        let rec = csv::ByteRecord::from(vec![&b"A1"[..], &male, b"\x81"]);
        let out = g.decode(&rec);
        assert_eq!(out.cells, ["A1", "男", ""]);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].field, "note");
    }

    #[test]
    fn sheet_cells_as_text() {
        use calamine::{Data, ExcelDateTime, ExcelDateTimeType};
        assert_eq!(sheet_cell_text(&Data::Float(61.0)), "61");
        assert_eq!(sheet_cell_text(&Data::Float(5.25)), "5.25");
        assert_eq!(sheet_cell_text(&Data::Bool(true)), "true");
        let d = ExcelDateTime::new(45787.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(sheet_cell_text(&Data::DateTime(d)), "2025-05-10");
        let d = ExcelDateTime::new(44325.0, ExcelDateTimeType::DateTime, true);
        assert_eq!(sheet_cell_text(&Data::DateTime(d)), "2025-05-10");
    }
}

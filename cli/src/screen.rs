//! `cvdscreen screen`: read the exchange format, screen every row, write results.
//!
//! Two passes over the file. Pass 1 reads only `id` and `id_number` to find the
//! duplicates of DQ-PRG-6 (twice when the file has candidates: a Bloom filter, then
//! exact counts of its hits); pass 2 screens chunks of rows on several threads and
//! writes them in input order. Memory is bounded by the chunk size, the filter
//! (at most 32 MiB) and the duplicated values (plus the filter's false positives).

use crate::input::{self, RowSource};
use crate::summary;
use crate::Format;
use anyhow::{Context, Result};
use cvdscreen::assess::{Screener, Summary};
use cvdscreen::exchange::{self, Col, Header};
use cvdscreen::finding::Finding;
use cvdscreen::output;
use cvdscreen::profile::Profile;
use cvdscreen::qc::{DuplicateFilter, DuplicateIndex, DuplicateIndexBuilder};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::ser::{SerializeMap, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::time::Instant;

/// Rows screened per chunk (split across the worker threads).
pub(crate) const CHUNK_ROWS: usize = 8192;
/// Files larger than this get a progress bar (on a terminal).
const PROGRESS_MIN_BYTES: u64 = 5 * 1024 * 1024;

/// Options of `cvdscreen screen`.
#[derive(Debug)]
pub struct Options {
    /// Input CSV.
    pub input: PathBuf,
    /// Output file (standard output when `None`).
    pub output: Option<PathBuf>,
    /// CSV or JSON Lines.
    pub format: Format,
    /// Profile name.
    pub profile: String,
    /// WHO 2019 calibration override (`--region`).
    pub region: Option<cvdscreen::models::who2019::Calibration>,
    /// Allow a progress bar.
    pub progress: bool,
    /// Worker threads (≥ 1).
    pub threads: usize,
    /// Encoding and sheet of the input.
    pub input_opts: input::InputArgs,
    /// Omit personal values from finding messages (`--mask-values`).
    pub mask_values: bool,
}

/// An error about the input or the arguments (exit code 2).
#[derive(Debug)]
pub struct InputError(pub String);

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

pub(crate) fn input_error(msg: String) -> anyhow::Error {
    anyhow::Error::new(InputError(msg))
}

/// Runs `screen`.
pub fn run(o: &Options) -> Result<()> {
    let started = Instant::now();
    let mut profile = Profile::by_name(&o.profile)
        .ok_or_else(|| input_error(format!("unknown profile `{}`", o.profile)))?;
    if let Some(cal) = o.region {
        profile.who2019_calibration = cal;
    }
    let path = &o.input;
    let size = check_input(path, o.output.as_deref())?;

    let mut src = input::open(path, &o.input_opts)?;
    let header = src.header().clone();
    if let Some(note) = src.note() {
        let _ = writeln!(std::io::stderr(), "{note}");
    }

    let bar = progress_bar(o.progress && src.is_csv(), size);
    bar.set_message("pass 1/2: duplicate ids");
    let duplicates = duplicate_index(&mut src, &bar)?;
    bar.set_position(0);
    bar.set_message("pass 2/2: screening");

    let screener = match duplicates {
        Some(index) => Screener::with_duplicates(profile, index),
        None => Screener::new(profile),
    };
    let layout = Layout::new(&header);
    let mut sink = Sink::create(o.output.as_deref())?;
    let stats = screen_rows(&mut src, &header, &screener, &layout, o, &mut sink, &bar);
    bar.finish_and_clear();
    let stats = match stats {
        Ok(s) => s,
        Err(e) => {
            sink.abandon();
            return Err(e);
        }
    };
    sink.finish()?;

    let report = summary::render(&summary::Context {
        input: path,
        output: o.output.as_deref(),
        profile: &o.profile,
        elapsed: started.elapsed(),
        summary: &stats.summary,
        invalid_utf8_rows: stats.invalid_utf8_rows,
    });
    // The summary is informational: a closed stderr must not fail the run.
    let _ = std::io::stderr().lock().write_all(report.as_bytes());
    Ok(())
}

/// Options of `explain`.
pub struct ExplainOptions {
    /// Input CSV.
    pub input: PathBuf,
    /// The `id` to explain.
    pub id: String,
    /// Language.
    pub lang: cvdscreen::finding::Lang,
    /// Profile name.
    pub profile: String,
    /// WHO 2019 calibration override.
    pub region: Option<cvdscreen::models::who2019::Calibration>,
    /// Encoding and sheet of the input.
    pub input_opts: input::InputArgs,
}

/// Runs `explain`: every row whose `id` is the one asked for, explained in full.
pub fn explain(o: &ExplainOptions) -> Result<()> {
    let mut profile = Profile::by_name(&o.profile)
        .ok_or_else(|| input_error(format!("unknown profile `{}`", o.profile)))?;
    if let Some(cal) = o.region {
        profile.who2019_calibration = cal;
    }
    let path = &o.input;
    check_input(path, None)?;
    let mut src = input::open(path, &o.input_opts)?;
    let header = src.header().clone();
    let bar = ProgressBar::hidden();
    let screener = match duplicate_index(&mut src, &bar)? {
        Some(index) => Screener::with_duplicates(profile.clone(), index),
        None => Screener::new(profile.clone()),
    };
    let id_pos = header.position(Col::Id);
    let want = o.id.trim();
    let mut rec = csv::ByteRecord::new();
    let mut found = 0usize;
    let mut out = std::io::stdout().lock();
    let decoder = src.decoder().clone();
    while src.read_record(&mut rec)? {
        let id = id_pos
            .and_then(|p| rec.get(p))
            .and_then(|b| decoder.cell(b));
        if id.as_deref().map(str::trim) != Some(want) {
            continue;
        }
        let row = decoder.decode(&rec);
        let (record, a) = screener.screen_cells_with_findings(&header, &row.cells, row.findings);
        if found > 0 {
            writeln!(out)?;
        }
        let line = rec.position().map_or(0, |p| p.line());
        writeln!(out, "# {} line {line}", path.display())?;
        out.write_all(cvdscreen::explain::explain(&record, &a, &profile, o.lang).as_bytes())?;
        found += 1;
    }
    if found == 0 {
        return Err(input_error(format!(
            "no row with id `{want}` in `{}`",
            path.display()
        )));
    }
    Ok(())
}

/// Checks that the input is a readable regular file that is not also the output;
/// returns its size in bytes.
pub(crate) fn check_input(path: &Path, output: Option<&Path>) -> Result<u64> {
    let meta = std::fs::metadata(path).map_err(|e| {
        anyhow::Error::new(e).context(InputError(format!(
            "cannot read input file `{}`",
            path.display()
        )))
    })?;
    if meta.is_dir() {
        return Err(input_error(format!(
            "input `{}` is a directory, not a CSV file",
            path.display()
        )));
    }
    if let Some(out) = output {
        if let (Ok(a), Ok(b)) = (path.canonicalize(), out.canonicalize()) {
            if a == b {
                return Err(input_error(format!(
                    "output `{}` is the input file; choose another output path",
                    out.display()
                )));
            }
        }
    }
    Ok(meta.len())
}

pub(crate) fn progress_bar(enabled: bool, size: u64) -> ProgressBar {
    if !enabled || size < PROGRESS_MIN_BYTES || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:24} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({eta})",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Pass 1 (DQ-PRG-6): the `id` and `id_number` of every row, normalised as the
/// parser stores them, go into the core's bounded two-phase [`DuplicateFilter`]: a
/// Bloom filter sized from the file (at most 32 MiB) marks the values possibly seen
/// before, and a second read of the two columns counts those candidates exactly —
/// skipped when there is no candidate. Same index as the one-pass
/// [`DuplicateIndexBuilder`] (one 64-bit hash per value, growing with the file),
/// which is kept for workbooks: a sheet is held in memory whole anyway. Rows with a
/// wrong number of fields are not parsed (§12.9) and take no part. Leaves `src`
/// rewound to its first data row.
pub(crate) fn duplicate_index(
    src: &mut RowSource,
    bar: &ProgressBar,
) -> Result<Option<DuplicateIndex>> {
    let index = if src.is_csv() {
        let size = std::fs::metadata(src.path()).map_or(0, |m| m.len());
        let mut filter = DuplicateFilter::for_file_size(size);
        for_each_id(src, bar, |id, idn| filter.add(id, idn))?;
        src.rewind()?;
        if filter.is_empty() {
            DuplicateIndex::default()
        } else {
            let mut counter = filter.into_counter();
            bar.set_position(0);
            bar.set_message("pass 1/2: counting dups");
            for_each_id(src, bar, |id, idn| counter.add(id, idn))?;
            src.rewind()?;
            counter.finish()
        }
    } else {
        let mut builder = DuplicateIndexBuilder::default();
        for_each_id(src, bar, |id, idn| builder.add(id, idn))?;
        src.rewind()?;
        builder.finish()
    };
    Ok((!index.is_empty()).then_some(index))
}

/// Rows per batch handed from the reading thread to the hashing thread of
/// [`for_each_id`].
const ID_BATCH: usize = 4096;

/// A cell's byte range in [`IdBatch::bytes`] (`None`: the file has no such column).
type CellRange = Option<(usize, usize)>;

/// The raw `id` / `id_number` cells of up to [`ID_BATCH`] rows, in one buffer.
#[derive(Default)]
struct IdBatch {
    bytes: Vec<u8>,
    /// Per row: the ranges of its `id` and `id_number` cells.
    rows: Vec<(CellRange, CellRange)>,
}

/// Reads every remaining row of `src` and gives its `id` and `id_number` to `f`, in
/// row order. Two threads: this one reads and splits the CSV rows (the larger half of
/// the work) and copies the two cells of each row into batches; a second one decodes,
/// normalises and hands them to `f`. Batches are recycled, so the pass allocates
/// nothing per row.
fn for_each_id(
    src: &mut RowSource,
    bar: &ProgressBar,
    f: impl FnMut(Option<&str>, Option<&str>) + Send,
) -> Result<()> {
    let header = src.header().clone();
    let decoder = src.decoder().clone();
    let id_pos = header.position(Col::Id);
    let idn_pos = header.position(Col::IdNumber);
    let (full_tx, full_rx) = mpsc::sync_channel::<IdBatch>(4);
    let (empty_tx, empty_rx) = mpsc::channel::<IdBatch>();
    std::thread::scope(|scope| {
        let consumer = scope.spawn(move || {
            let mut f = f;
            for batch in full_rx {
                for &(id, idn) in &batch.rows {
                    let cell = |r: CellRange| r.and_then(|(a, b)| decoder.cell(&batch.bytes[a..b]));
                    // An undecodable cell is empty for the parser, so it takes no part.
                    let id = cell(id);
                    let id = id.as_deref().map(str::trim);
                    let idn = cell(idn);
                    let idn = idn
                        .as_deref()
                        .and_then(|c| exchange::id_number_syntax(c.trim()));
                    f(id, idn.as_deref());
                }
                // The reader may have finished already; then the batch is just dropped.
                let _ = empty_tx.send(batch);
            }
        });
        let read = (|| -> Result<()> {
            let mut rec = csv::ByteRecord::new();
            let mut n: u64 = 0;
            let mut batch = IdBatch::default();
            while src.read_record(&mut rec)? {
                n += 1;
                if n % 65_536 == 0 {
                    bar.set_position(src.position());
                }
                if rec.len() != header.len() {
                    continue;
                }
                let mut copy = |p: Option<usize>| {
                    p.and_then(|p| rec.get(p)).map(|c| {
                        let start = batch.bytes.len();
                        batch.bytes.extend_from_slice(c);
                        (start, batch.bytes.len())
                    })
                };
                let row = (copy(id_pos), copy(idn_pos));
                batch.rows.push(row);
                if batch.rows.len() == ID_BATCH {
                    let mut next = empty_rx.try_recv().unwrap_or_default();
                    next.bytes.clear();
                    next.rows.clear();
                    let full = std::mem::replace(&mut batch, next);
                    if full_tx.send(full).is_err() {
                        break;
                    }
                }
            }
            if !batch.rows.is_empty() {
                // The consumer only stops when this sender is dropped.
                let _ = full_tx.send(batch);
            }
            Ok(())
        })();
        drop(full_tx);
        consumer
            .join()
            .map_err(|_| anyhow::anyhow!("the duplicate pass stopped unexpectedly"))?;
        read
    })
}

/// Which input positions are repeated in the output, and under which names.
struct Layout {
    /// Input positions repeated in the CSV output, in order.
    csv_positions: Vec<usize>,
    /// Input positions and names repeated in the JSON output (unique keys).
    json_fields: Vec<(usize, String)>,
    /// The CSV header row.
    csv_header: Vec<String>,
}

impl Layout {
    fn new(header: &Header) -> Self {
        let is_output = |n: &str| output::OUTPUT_COLUMNS.contains(&n);
        let csv_positions: Vec<usize> = (0..header.len())
            .filter(|&i| !is_output(&header.names()[i]))
            .collect();
        let mut seen = std::collections::HashSet::new();
        let json_fields = csv_positions
            .iter()
            .map(|&i| (i, header.names()[i].clone()))
            .filter(|(_, n)| n != "findings" && seen.insert(n.clone()))
            .collect();
        let csv_header = csv_positions
            .iter()
            .map(|&i| header.names()[i].clone())
            .chain(output::OUTPUT_COLUMNS.iter().map(|s| s.to_string()))
            .collect();
        Layout {
            csv_positions,
            json_fields,
            csv_header,
        }
    }
}

/// What pass 2 found.
struct Stats {
    summary: Summary,
    invalid_utf8_rows: u64,
}

/// One worker's state: its share of each chunk is serialised into `buf`.
struct Worker {
    buf: Vec<u8>,
    /// The output cells of the current row, reused from row to row.
    out: Vec<String>,
    summary: Summary,
    invalid_utf8_rows: u64,
    error: Option<anyhow::Error>,
}

impl Worker {
    fn new() -> Self {
        Worker {
            buf: Vec::with_capacity(1 << 20),
            out: Vec::new(),
            summary: Summary::default(),
            invalid_utf8_rows: 0,
            error: None,
        }
    }

    /// Screens `rows` and appends their output to `buf`.
    fn screen(&mut self, rows: &[csv::ByteRecord], ctx: &Ctx<'_>) {
        if let Err(e) = self.try_screen(rows, ctx) {
            self.error = Some(e);
        }
    }

    fn try_screen(&mut self, rows: &[csv::ByteRecord], ctx: &Ctx<'_>) -> Result<()> {
        // The cells of the current row, borrowing from `rows`; reused from row to row.
        let mut cells: Vec<Cow<'_, str>> = Vec::with_capacity(ctx.header.len());
        for rec in rows {
            let findings = ctx.decoder.decode_into(rec, &mut cells);
            if !findings.is_empty() {
                self.invalid_utf8_rows += 1;
            }
            let (_, a) = ctx
                .screener
                .screen_cells_with_findings(ctx.header, &cells, findings);
            self.summary.add(&a);
            output::cells_into(&a, &mut self.out);
            let out = &self.out;
            match ctx.format {
                Format::Csv => {
                    // Input cells, then output cells (there is always at least one
                    // output column, so never a record of one empty field): each
                    // followed by `,`, the last by the line end.
                    // Decoding and date normalisation write none of the bytes that
                    // call for quotes: when the raw row holds none, no input cell
                    // does (one test per row instead of one per cell).
                    let plain_row = !needs_quotes(rec.as_slice());
                    for &i in &ctx.layout.csv_positions {
                        let f = cell(&cells, i).as_bytes();
                        if plain_row {
                            self.buf.extend_from_slice(f);
                        } else {
                            push_csv_field(&mut self.buf, f);
                        }
                        self.buf.push(b',');
                    }
                    for f in out {
                        push_csv_field(&mut self.buf, f.as_bytes());
                        self.buf.push(b',');
                    }
                    if let Some(last) = self.buf.last_mut() {
                        *last = b'\n';
                    }
                }
                Format::Json => {
                    let row = JsonRow {
                        fields: &ctx.layout.json_fields,
                        cells: &cells,
                        out,
                        findings: &a.qc.findings,
                        mask: ctx.mask_values,
                    };
                    serde_json::to_writer(&mut self.buf, &row)?;
                    self.buf.push(b'\n');
                }
            }
        }
        Ok(())
    }
}

/// Appends one CSV field exactly as the `csv` crate's default writer does
/// (`QuoteStyle::Necessary`, `,` delimiter, `\n` terminator, quotes doubled): quoted
/// when it contains `,`, `"`, CR or LF, otherwise written as is.
fn push_csv_field(buf: &mut Vec<u8>, f: &[u8]) {
    if !needs_quotes(f) {
        buf.extend_from_slice(f);
        return;
    }
    buf.push(b'"');
    for &b in f {
        if b == b'"' {
            buf.push(b'"');
        }
        buf.push(b);
    }
    buf.push(b'"');
}

/// True when `f` holds `,`, `"`, CR or LF (the bytes that make the `csv` crate quote a
/// field). No early exit, so that the compiler tests many bytes at a time.
fn needs_quotes(f: &[u8]) -> bool {
    // The four bytes are all at most b',' (0x2C): one comparison rejects digits,
    // letters, `.`, `-` and every byte of a multi-byte character.
    f.iter().fold(false, |q, &b| {
        q | ((b <= b',') & matches!(b, b',' | b'"' | b'\r' | b'\n'))
    })
}

/// What every worker reads.
struct Ctx<'a> {
    header: &'a Header,
    decoder: &'a input::Decoder,
    mask_values: bool,
    screener: &'a Screener,
    layout: &'a Layout,
    format: Format,
}

/// Input cell `i`; empty when the row is short.
fn cell<'a>(cells: &'a [Cow<'a, str>], i: usize) -> &'a str {
    cells.get(i).map(|c| c.as_ref()).unwrap_or("")
}

/// One JSON Lines object: input columns, output columns, findings.
struct JsonRow<'a> {
    fields: &'a [(usize, String)],
    cells: &'a [Cow<'a, str>],
    out: &'a [String],
    findings: &'a [Finding],
    mask: bool,
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.fields.len() + output::OUTPUT_COLUMNS.len() + 1))?;
        for (i, name) in self.fields {
            m.serialize_entry(name, cell(self.cells, *i))?;
        }
        for (name, v) in output::OUTPUT_COLUMNS.iter().zip(self.out) {
            m.serialize_entry(name, v)?;
        }
        if self.mask {
            m.serialize_entry("findings", &crate::privacy::MaskedFindings(self.findings))?;
        } else {
            m.serialize_entry("findings", self.findings)?;
        }
        m.end()
    }
}

#[allow(clippy::too_many_arguments)]
fn screen_rows(
    src: &mut RowSource,
    header: &Header,
    screener: &Screener,
    layout: &Layout,
    o: &Options,
    sink: &mut Sink,
    bar: &ProgressBar,
) -> Result<Stats> {
    if o.format == Format::Csv {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.write_record(&layout.csv_header)?;
        w.flush()?;
        sink.write_all(w.get_ref())?;
    }
    let decoder = src.decoder().clone();
    let ctx = Ctx {
        header,
        decoder: &decoder,
        mask_values: o.mask_values,
        screener,
        layout,
        format: o.format,
    };
    let ctx = &ctx;
    let threads = o.threads.max(1);
    // Pipeline: this thread reads jobs of JOB_ROWS rows and writes finished jobs in
    // input order while `threads` workers screen; at most `in_flight` jobs (their
    // rows and output) exist at a time, so memory stays bounded by CHUNK_ROWS rows.
    let in_flight = (CHUNK_ROWS / JOB_ROWS).max(2 * threads);
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Mutex::new(job_rx);
    let job_rx = &job_rx;
    std::thread::scope(|s| {
        let (done_tx, done_rx) = mpsc::channel::<Job>();
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let done_tx = done_tx.clone();
                s.spawn(move || {
                    let mut w = Worker::new();
                    loop {
                        // The lock is held only while taking a job.
                        let job = match job_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok(mut job) = job else { break };
                        std::mem::swap(&mut w.buf, &mut job.buf);
                        w.screen(&job.rows[..job.n], ctx);
                        std::mem::swap(&mut w.buf, &mut job.buf);
                        job.error = w.error.take();
                        if done_tx.send(job).is_err() {
                            break;
                        }
                    }
                    (w.summary, w.invalid_utf8_rows)
                })
            })
            .collect();
        drop(done_tx);
        let result = pump(src, sink, bar, in_flight, &job_tx, &done_rx);
        // Workers stop once the job channel is closed and empty.
        drop(job_tx);
        let mut summary = Summary::default();
        let mut invalid_utf8_rows = 0;
        for h in handles {
            let (s, n) = h
                .join()
                .map_err(|_| anyhow::anyhow!("a screening thread panicked"))?;
            summary.merge(&s);
            invalid_utf8_rows += n;
        }
        result?;
        Ok(Stats {
            summary,
            invalid_utf8_rows,
        })
    })
}

/// Rows per job of the screening pipeline.
const JOB_ROWS: usize = 1024;

/// A job of the pipeline: rows to screen and, once screened, their output.
struct Job {
    seq: u64,
    rows: Vec<csv::ByteRecord>,
    n: usize,
    buf: Vec<u8>,
    error: Option<anyhow::Error>,
}

/// The reading and writing side of the pipeline: keeps up to `in_flight` jobs with
/// the workers and writes their output in input order.
fn pump(
    src: &mut RowSource,
    sink: &mut Sink,
    bar: &ProgressBar,
    in_flight: usize,
    job_tx: &mpsc::Sender<Job>,
    done_rx: &mpsc::Receiver<Job>,
) -> Result<()> {
    let mut free: Vec<Job> = (0..in_flight)
        .map(|_| Job {
            seq: 0,
            rows: (0..JOB_ROWS).map(|_| csv::ByteRecord::new()).collect(),
            n: 0,
            buf: Vec::new(),
            error: None,
        })
        .collect();
    let mut pending: std::collections::BTreeMap<u64, Job> = std::collections::BTreeMap::new();
    let (mut next_seq, mut next_write, mut busy) = (0u64, 0u64, 0usize);
    let mut eof = false;
    loop {
        while !eof {
            let Some(mut job) = free.pop() else { break };
            let mut n = 0;
            while n < JOB_ROWS && src.read_record(&mut job.rows[n])? {
                n += 1;
            }
            eof = n < JOB_ROWS;
            if n == 0 {
                free.push(job);
                break;
            }
            job.seq = next_seq;
            job.n = n;
            next_seq += 1;
            job_tx
                .send(job)
                .map_err(|_| anyhow::anyhow!("the screening threads stopped"))?;
            busy += 1;
        }
        if busy == 0 {
            return Ok(());
        }
        let job = done_rx
            .recv()
            .map_err(|_| anyhow::anyhow!("the screening threads stopped"))?;
        busy -= 1;
        pending.insert(job.seq, job);
        while let Some(mut job) = pending.remove(&next_write) {
            if let Some(e) = job.error.take() {
                return Err(e.context("cannot serialise an output row"));
            }
            sink.write_all(&job.buf)?;
            job.buf.clear();
            free.push(job);
            next_write += 1;
        }
        bar.set_position(src.position());
    }
}

/// The output: standard output, or a temporary file next to the target that is
/// renamed into place only when everything was written.
pub(crate) struct Sink {
    out: Box<dyn Write>,
    target: Option<(PathBuf, PathBuf)>,
    /// The output path as shown in messages (empty for standard output).
    name: String,
}

impl Sink {
    pub(crate) fn create(path: Option<&Path>) -> Result<Sink> {
        match path {
            None => Ok(Sink {
                out: Box::new(BufWriter::with_capacity(1 << 16, std::io::stdout())),
                target: None,
                name: String::new(),
            }),
            Some(p) => {
                let create = |path: &Path| {
                    File::create(path)
                        .map(|f| BufWriter::with_capacity(1 << 16, f))
                        .map_err(|e| {
                            anyhow::Error::new(e)
                                .context(format!("cannot create output file `{}`", p.display()))
                        })
                };
                // A device, FIFO or other special file is written in place; a
                // regular file is replaced only once the output is complete.
                let special = std::fs::metadata(p).is_ok_and(|m| !m.is_file());
                if special {
                    return Ok(Sink {
                        out: Box::new(create(p)?),
                        target: None,
                        name: p.display().to_string(),
                    });
                }
                let file_name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "output".into());
                let tmp = p.with_file_name(format!(".{file_name}.{}.partial", std::process::id()));
                crate::cleanup::register(&tmp);
                Ok(Sink {
                    out: Box::new(create(&tmp)?),
                    target: Some((tmp, p.to_path_buf())),
                    name: p.display().to_string(),
                })
            }
        }
    }

    pub(crate) fn write_all(&mut self, b: &[u8]) -> Result<()> {
        self.out.write_all(b).with_context(|| self.describe())
    }

    fn describe(&self) -> String {
        if self.name.is_empty() {
            "cannot write to standard output".to_string()
        } else {
            format!("cannot write output file `{}`", self.name)
        }
    }

    pub(crate) fn finish(mut self) -> Result<()> {
        if let Err(e) = self.out.flush() {
            let msg = self.describe();
            self.abandon();
            return Err(anyhow::Error::new(e).context(msg));
        }
        if let Some((tmp, target)) = self.target.take() {
            drop(self.out);
            let renamed = crate::cleanup::settle(&tmp, || {
                std::fs::rename(&tmp, &target).inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
            });
            if let Err(e) = renamed {
                return Err(anyhow::Error::new(e)
                    .context(format!("cannot move the output to `{}`", target.display())));
            }
        }
        Ok(())
    }

    pub(crate) fn abandon(self) {
        if let Some((tmp, _)) = &self.target {
            drop(self.out);
            crate::cleanup::settle(tmp, || {
                let _ = std::fs::remove_file(tmp);
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::push_csv_field;

    #[test]
    fn csv_fields_as_the_csv_crate_writes_them() {
        let rows: &[&[&str]] = &[
            &[
                "a",
                "",
                "b,c",
                "say \"hi\"",
                "x\ny",
                "cr\rlf",
                " sp ",
                "#",
                "'",
                "中文;1",
            ],
            &["", "", ""],
            &["\"", ",", ""],
        ];
        for row in rows {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(*row).unwrap();
            let want = w.into_inner().unwrap();
            let mut got = Vec::new();
            for (k, f) in row.iter().enumerate() {
                if k > 0 {
                    got.push(b',');
                }
                push_csv_field(&mut got, f.as_bytes());
            }
            got.push(b'\n');
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(&want)
            );
        }
    }
}

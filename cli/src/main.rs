//! `cvdscreen`: screen exchange-format CSV files for cardiovascular high risk
//! (China PEACE Million Persons Project) and write synthetic sample data.

mod cleanup;
mod gen;
mod input;
mod privacy;
mod report;
mod screen;
mod summary;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit code for problems with the input or the command line (missing file, empty
/// file, no header, no `id` column, unknown profile).
const EXIT_INPUT: u8 = 2;
/// Exit code for failures while writing the output.
const EXIT_OUTPUT: u8 = 1;

#[derive(Parser, Debug)]
#[command(
    name = "cvdscreen",
    version,
    about = "Cardiovascular high-risk screening (China PEACE Million Persons Project, 心血管病高危人群早期筛查)",
    long_about = "Cardiovascular high-risk screening (China PEACE Million Persons Project, \
                  心血管病高危人群早期筛查与综合干预项目).\n\n\
                  `cvdscreen screen` reads screening records in the exchange format \
                  (spec/csv-schema.md), runs the data-quality checks and the high-risk \
                  rules of the chosen programme profile, and writes one result row per \
                  input row."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Screen a CSV file of screening records: QC status, high-risk status and reasons.
    #[command(long_about = SCREEN_LONG_ABOUT)]
    Screen(ScreenArgs),
    /// Print one person's full reasoning: QC, high-risk rules, risk models, guideline
    /// strata, plan and follow-up.
    #[command(long_about = EXPLAIN_LONG_ABOUT)]
    Explain(ExplainArgs),
    /// Write deterministic synthetic screening records (for tests, demos, benchmarks).
    #[command(long_about = GENERATE_LONG_ABOUT)]
    Generate(GenerateArgs),
    /// Monthly QC and progress report: unqualified records per site, detection rates,
    /// age-standardised rates, progress against quota (HTML, CSV or JSON).
    #[command(long_about = REPORT_LONG_ABOUT)]
    Report(ReportArgs),
}

const REPORT_LONG_ABOUT: &str = "\
Monthly QC and progress report (spec/domain.md §11).

Reads INPUT (exchange format, as `screen`) in one streaming pass after the duplicate-id \
pass and writes a self-contained HTML page (inline CSS and SVG charts; no scripts, no \
network): the unqualified records per site to send back for rectification (the first \
--max-listed per site, with counts), detection rate by site, sex and age band, the \
age-standardised detection rate and hypertension prevalence (--standard: WHO 2000-2025 \
by default, or the 2010 census of China; 95 % CI), monthly progress against the quota file, and the formulas of every indicator \
shown. Every IND-GEN-6 anomaly (e.g. progress above 100 %) is shown next to its value.

--format csv writes the tables in long format (table, site, period, sex, age_band, id, \
key, numerator, denominator, value, ci_low, ci_high, anomaly, note); --format json the \
same rows as an array plus the findings and the unqualified-record lists. HTML shows \
percentages rounded half up to one decimal; CSV and JSON at full precision.

Memory does not grow with the number of rows: indicator accumulators (24 bytes \
per distinct person and group) and at most --max-listed unqualified records per site. \
--unqualified FILE streams the full unqualified-record list to a CSV file.

Exit status: 0 on success; 2 when the input, the quota or the population file cannot be \
read, or the arguments are wrong (malformed quota rows are findings, not errors); 1 when \
the output cannot be written.";

fn parse_date(s: &str) -> Result<cvdscreen::date::Date, String> {
    s.parse()
        .map_err(|e| format!("`{s}` is not a date YYYY-MM-DD: {e}"))
}

#[derive(clap::Args, Debug)]
struct ReportArgs {
    /// Input CSV file (exchange format).
    input: PathBuf,
    /// Output file; standard output when absent.
    #[arg(short, long, value_name = "OUTPUT")]
    output: Option<PathBuf>,
    /// Output format: `html` (default), `csv` (long-format tables) or `json`.
    #[arg(long, value_enum, default_value_t = report::ReportFormat::Html)]
    format: report::ReportFormat,
    /// Quota file (IND-QUOTA-1: site_id, period YYYY or YYYY-MM, quota, task).
    #[arg(long, value_name = "QUOTA_CSV")]
    quota: Option<PathBuf>,
    /// Resident population file (IND-POP-2) for the age/sex structure check IND-MPP-19.
    #[arg(long, value_name = "POPULATION_CSV")]
    population: Option<PathBuf>,
    /// Follow-up visit file (csv-schema.md "Follow-up visit records"): adds the
    /// programme follow-up indicators IND-MPP-9/10/11/12/15/16 and the visit-row
    /// findings (DQ-VIS-*, DQ-PRG-5, DQ-PRG-11).
    #[arg(long, value_name = "VISITS_CSV")]
    visits: Option<PathBuf>,
    /// Report date (IND-GEN-3): later screenings (and visits) are left out; default: the
    /// latest screen_date in the input (with --visits: the latest screen_date or visit_date).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<cvdscreen::date::Date>,
    /// Programme profile, as for `screen`.
    #[arg(long, default_value = "mpp-national", value_parser = ["mpp-national", "mpp-2014-pilot"])]
    profile: String,
    /// Standard population of the age-standardised rates (IND-POP-4): the WHO World
    /// Standard Population 2000-2025 (both sexes) or the 2010 census of China (by sex
    /// and single year of age).
    #[arg(long, value_name = "NAME", default_value = "who-2000-2025",
          value_parser = cvdscreen::indicators::standard::STANDARD_NAMES)]
    standard: String,
    /// Unqualified records listed per site in the HTML and JSON (the rest are counted).
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_listed: usize,
    /// Also write the full unqualified-record list (one row per record) to this CSV file.
    #[arg(long, value_name = "CSV")]
    unqualified: Option<PathBuf>,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Worker threads (default: available cores, at most 8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,
    #[command(flatten)]
    reading: input::InputArgs,
}

const SCREEN_LONG_ABOUT: &str = "\
Screen a CSV file of screening records.

INPUT is a UTF-8 CSV file in the exchange format (spec/csv-schema.md): RFC 4180 quoting, \
first row = header, column names matched exactly, a leading byte-order mark ignored. Only \
the `id` column is required; unknown columns are carried through. Blank lines are not \
records and are skipped.

The file is read two or three times: the duplicate pass (DQ-PRG-6) reads `id` and \
`id_number` into a Bloom filter sized from the file (one bit per two bytes, at most 32 MiB), \
then, when the filter has hits, reads them again to count those hits exactly; the last \
pass screens. INPUT must therefore be a regular file that can be opened again (not a pipe \
or standard input). Memory does not grow with the number of rows, except for the \
duplicated values themselves (and the filter's false positives: about 0.2 % of the \
values at 10 million rows, never reported as duplicates). Workbooks are held in memory \
and indexed in one pass, 8 bytes per non-empty `id` / `id_number`.

OUTPUT (CSV, the default): one row per input row, in input order, also for rows that \
cannot be parsed (wrong number of fields: qc_status = reject, qc_findings = DQ-PARSE-1). \
Each row repeats every input cell unchanged, in input order (missing cells empty, surplus \
cells dropped), followed by the output columns qc_status, qc_findings, high_risk, \
high_risk_reasons and the risk columns of spec/csv-schema.md. An input column named like \
an output column is not repeated.

--format json writes JSON Lines instead: one object per input row, in input order, with \
the input columns and the output columns as strings (same names and order as the CSV) \
plus `findings`: an array of {rule_id, severity, field, value, message_en, message_zh} \
(severity = info, warn or reject; value may be null). An input column named `findings`, \
or a second input column with the same name, is not repeated in JSON.

A summary goes to standard error at the end: records, rejected (unqualified), warned, \
screened (qualified), high-risk, indeterminate and the detection rate per `site_id` and \
overall, and the QC rules found most often.

Exit status: 0 on success; 2 when the input cannot be used (missing, empty, no header, \
no `id` column) or the arguments are wrong; 1 when the output cannot be written.";

const EXPLAIN_LONG_ABOUT: &str = "\
Print one person's full reasoning, in English or Chinese.

Finds the row(s) of INPUT whose `id` is ID and prints, for each: the QC findings with their \
messages, all eight high-risk criteria of the rule set with their outcome and, when \
undecided, the inputs missing; the WHO/ISH chart cell; every risk model's value or why it \
was not computed; then the guideline strata (cn2019, the lipid rule set, BP grade), the \
intervention plan with the rule id, citation label and text of each item, and the first \
follow-up date. Duplicate ids (DQ-PRG-6) are checked over the whole file, as by `screen`.

Exit status: 0 when the id was found; 2 when it was not, or when the input cannot be used.";

const GENERATE_LONG_ABOUT: &str = "\
Write deterministic synthetic screening records in the exchange format.

The records are invented (no real person): six sites, screening dates in 2024-2025, \
ages mostly 35-75, blood-pressure readings rising with age, CardioChek-like lipids (mg/dL; \
one site in mmol/L; censored values such as `<100`), fasting glucose, smoking, diabetes, \
history flags. About 6 % of the rows are deliberately unqualified or suspicious, covering \
each QC kind: out-of-range values, DBP >= SBP, HDL >= TC, readings far apart without a \
third, LDL with TG >= 400, both units given and disagreeing, age outside 35-75, missing \
mandatory items, duplicated ids, unparseable cells, rows with a wrong number of fields.

The same --rows and --seed always give byte-identical output on every platform.";

fn parse_region(s: &str) -> Result<cvdscreen::models::who2019::Calibration, String> {
    use cvdscreen::models::who2019::{Calibration, Region};
    Calibration::parse(s).ok_or_else(|| {
        let names: Vec<String> = Region::ALL
            .iter()
            .map(|r| r.name().to_lowercase().replace(' ', "-"))
            .collect();
        format!(
            "unknown WHO 2019 region `{s}`; use a GBD code, `china-country`, or one of: {}",
            names.join(", ")
        )
    })
}

#[derive(clap::Args, Debug)]
struct ScreenArgs {
    /// Input CSV file (exchange format, spec/csv-schema.md).
    input: PathBuf,
    /// Output file; standard output when absent.
    #[arg(short, long, value_name = "OUTPUT")]
    output: Option<PathBuf>,
    /// Output format: `csv`, or `json` for JSON Lines (one object per row, with a
    /// `findings` array).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Programme profile: `mpp-national` (eligibility 35-75, BP = mean of the last
    /// two readings) or `mpp-2014-pilot` (2014 eligibility, BP = mean of readings 1-2).
    #[arg(long, default_value = "mpp-national", value_parser = ["mpp-national", "mpp-2014-pilot"])]
    profile: String,
    /// WHO 2019 recalibration: a GBD region code or name (default `east-asia`, the
    /// published charts' region for China; e.g. `A05GBDR_012_EAS`, `southeast-asia`,
    /// `western-europe`), or `china-country` for China's country-level parameters.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    region: Option<cvdscreen::models::who2019::Calibration>,
    /// Never show a progress bar (it is shown only on a terminal, for files over 5 MB).
    #[arg(long)]
    no_progress: bool,
    /// Worker threads for screening (default: available cores, at most 8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    threads: Option<u16>,
    /// Leave personal values out of finding messages (JSON `findings`): values are
    /// replaced by `***`; ids and the input cells stay.
    #[arg(long)]
    mask_values: bool,
    #[command(flatten)]
    reading: input::InputArgs,
}

/// Output format of `screen`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// CSV: input columns, then the output columns.
    Csv,
    /// JSON Lines: one object per row, with a `findings` array.
    Json,
}

#[derive(clap::Args, Debug)]
struct ExplainArgs {
    /// The `id` of the person to explain.
    #[arg(long)]
    id: String,
    /// Input CSV file (exchange format).
    input: PathBuf,
    /// Language of the explanation: `en` or `zh`.
    #[arg(long, default_value = "en", value_parser = ["en", "zh"])]
    lang: String,
    /// Programme profile, as for `screen`.
    #[arg(long, default_value = "mpp-national", value_parser = ["mpp-national", "mpp-2014-pilot"])]
    profile: String,
    /// WHO 2019 recalibration, as for `screen`.
    #[arg(long, value_name = "REGION", value_parser = parse_region)]
    region: Option<cvdscreen::models::who2019::Calibration>,
    #[command(flatten)]
    reading: input::InputArgs,
}

#[derive(clap::Args, Debug)]
struct GenerateArgs {
    /// Number of records (data rows) to write.
    #[arg(long, default_value_t = 2000)]
    rows: u64,
    /// Seed of the pseudo-random generator; the same seed gives the same file.
    #[arg(long, default_value_t = 20240501)]
    seed: u64,
    /// Output file; standard output when absent.
    #[arg(short, long, value_name = "OUTPUT")]
    output: Option<PathBuf>,
    /// Also write follow-up visit rows (csv-schema.md "Follow-up visit records") for
    /// the surveyed persons, up to the latest screening date, to this file.
    #[arg(long, value_name = "VISITS_CSV")]
    visits_out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Screen(a) => {
            let threads = a.threads.map(usize::from).unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get().min(8))
                    .unwrap_or(1)
            });
            screen::run(&screen::Options {
                input: a.input,
                output: a.output,
                format: a.format,
                profile: a.profile,
                region: a.region,
                progress: !a.no_progress,
                threads,
                input_opts: a.reading,
                mask_values: a.mask_values,
            })
        }
        Command::Explain(a) => screen::explain(&screen::ExplainOptions {
            input: a.input,
            id: a.id,
            lang: if a.lang == "zh" {
                cvdscreen::finding::Lang::Zh
            } else {
                cvdscreen::finding::Lang::En
            },
            profile: a.profile,
            region: a.region,
            input_opts: a.reading,
        }),
        Command::Generate(a) => {
            gen::run(a.rows, a.seed, a.output.as_deref(), a.visits_out.as_deref())
        }
        Command::Report(a) => report::run(&report::Options {
            threads: a.threads.map(usize::from).unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get().min(8))
                    .unwrap_or(1)
            }),
            input: a.input,
            output: a.output,
            format: a.format,
            quota: a.quota,
            population: a.population,
            visits: a.visits,
            as_of: a.as_of,
            profile: a.profile,
            standard: a.standard,
            max_listed: a.max_listed,
            unqualified: a.unqualified,
            progress: !a.no_progress,
            input_opts: a.reading,
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(&e),
    }
}

/// Prints an error chain and picks the exit code: input problems → 2, output → 1.
/// A closed pipe on standard output (e.g. `| head`) ends quietly.
fn report_error(e: &anyhow::Error) -> ExitCode {
    if let Some(io) = e.chain().find_map(|c| c.downcast_ref::<std::io::Error>()) {
        if io.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
    }
    eprintln!("error: {e:#}");
    if e.downcast_ref::<screen::InputError>().is_some() {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::from(EXIT_OUTPUT)
    }
}

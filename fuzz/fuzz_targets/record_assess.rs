//! High-risk rules and QC on arbitrary records: every column gets an arbitrary
//! value of its kind (or none), set through the core's cell setter, then `assess`.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use cvdscreen::exchange::{set_cell, Col, Kind};
use cvdscreen::profile::Profile;
use cvdscreen::record::ScreeningRecord;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn value(kind: Kind, u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    Ok(match kind {
        Kind::Number | Kind::Count => {
            if u.ratio(1, 2)? {
                format!("{}", f64::arbitrary(u)?)
            } else {
                format!("{}", u.int_in_range(-10i32..=600)?)
            }
        }
        Kind::Lab => {
            let v = if u.ratio(1, 2)? { f64::arbitrary(u)? } else { f64::from(u.int_in_range(0u16..=800)?) / 10.0 };
            format!("{}{}", u.choose(&["", "<", ">"])?, v)
        }
        Kind::Bool => u.choose(&["0", "1"])?.to_string(),
        Kind::Sex => u.choose(&["male", "female"])?.to_string(),
        Kind::Date => format!("{:04}-{:02}-{:02}", u.int_in_range(1900..=2100)?, u.int_in_range(1..=12)?, u.int_in_range(1..=28)?),
        Kind::Race => u.choose(&["white", "african_american", "other"])?.to_string(),
        Kind::CkdStage => u.choose(&["1", "2", "3", "3a", "3b", "4", "5"])?.to_string(),
        Kind::HtnCvRisk => u.choose(&["low", "medium", "high", "very_high"])?.to_string(),
        Kind::Device => u.choose(&["cardiochek_pa", "lab"])?.to_string(),
        Kind::IdNumber => {
            let mut s: String = (0..17).map(|_| char::from(b'0' + u.int_in_range(0u8..=9).unwrap_or(0))).collect();
            s.push(*u.choose(&['0', '5', 'X'])?);
            s
        }
        Kind::Text => String::arbitrary(u)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let mut rec = ScreeningRecord::default();
    for &col in Col::ALL {
        if u.ratio(1, 3).unwrap_or(true) {
            continue;
        }
        let Ok(v) = value(col.kind(), &mut u) else { break };
        rec.columns.insert(col);
        let _ = set_cell(&mut rec, col, &v);
    }
    static PROFILES: OnceLock<[Profile; 2]> = OnceLock::new();
    let profiles = PROFILES.get_or_init(|| ["mpp-national", "mpp-2014-pilot"].map(|p| Profile::by_name(p).unwrap()));
    let profile = &profiles[usize::from(u.arbitrary::<bool>().unwrap_or(false))];
    let a = cvdscreen::assess::assess(&rec, profile);
    let _ = cvdscreen::output::cells(&a);
    let _ = cvdscreen::explain::explain(&rec, &a, profile, cvdscreen::finding::Lang::Zh);
});

//! CSV row parsing: a header and a row of cells (both arbitrary; header names
//! drawn mostly from the exchange format) through `Screener::screen_cells`.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use cvdscreen::assess::Screener;
use cvdscreen::exchange::{Col, Header};
use cvdscreen::profile::Profile;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn name(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    Ok(if u.ratio(7, 8)? {
        u.choose(Col::ALL)?.name().to_string()
    } else {
        String::arbitrary(u)?
    })
}

fn cell(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    Ok(match u.int_in_range(0..=5)? {
        0 => String::new(),
        1 => format!("{}", f64::arbitrary(u)?),
        2 => format!("{}", u.int_in_range(-50i32..=400)?),
        3 => u
            .choose(&["male", "女", "1", "0", "是", "<100", ">500", "2025-05-10", "3a", "very_high"])?
            .to_string(),
        4 => format!("{:04}-{:02}-{:02}", u.int_in_range(1800..=2200)?, u.int_in_range(0..=13)?, u.int_in_range(0..=32)?),
        _ => String::arbitrary(u)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(n) = u.int_in_range(0usize..=40) else { return };
    let mut names = Vec::with_capacity(n);
    for _ in 0..n {
        let Ok(x) = name(&mut u) else { return };
        names.push(x);
    }
    let Ok(m) = u.int_in_range(0usize..=44) else { return };
    let mut cells = Vec::with_capacity(m);
    for _ in 0..m {
        let Ok(x) = cell(&mut u) else { return };
        cells.push(x);
    }
    static SCREENERS: OnceLock<[Screener; 2]> = OnceLock::new();
    let screeners = SCREENERS.get_or_init(|| {
        ["mpp-national", "mpp-2014-pilot"].map(|p| Screener::new(Profile::by_name(p).unwrap()))
    });
    let screener = &screeners[usize::from(u.arbitrary::<bool>().unwrap_or(false))];
    let header = Header::new(&names);
    let a = screener.screen_cells(&header, &cells);
    let out = cvdscreen::output::cells(&a);
    assert_eq!(out.len(), cvdscreen::output::OUTPUT_COLUMNS.len());
});

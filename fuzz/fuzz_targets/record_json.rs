//! Record deserialisation from JSON, then the full assessment.
#![no_main]

use cvdscreen::profile::Profile;
use cvdscreen::record::ScreeningRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rec) = serde_json::from_slice::<ScreeningRecord>(data) {
        for name in ["mpp-national", "mpp-2014-pilot"] {
            let a = cvdscreen::assess::assess(&rec, &Profile::by_name(name).unwrap());
            let _ = cvdscreen::output::cells(&a);
        }
    }
});

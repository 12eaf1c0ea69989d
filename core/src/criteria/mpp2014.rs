//! High-risk rule set `mpp-2014` (spec/domain.md §6).

crate::define_rules! {
    HR_5 = "MPP2014-HR-5", "mpp-2014", [ConfirmedP], "domain.md §6.1; S1",
        "SBP ≥ 160 mmHg or DBP ≥ 100 mmHg",
        "收缩压≥160 mmHg 或舒张压≥100 mmHg";
}

//! Eligibility for initial screening (spec/domain.md §3).

crate::define_rules! {
    ELIG_NAT_1 = "ELIG-NAT-1", "elig-national", [ConfirmedP, Decision], "domain.md §3.2; S4, S5",
        "Age 35–75 years (completed years at the screening date, inclusive)",
        "年龄 35–75 岁（筛查日期时的周岁，含两端）";
}

//! Model metadata: identifiers (RM-GEN-6), citations and input ranges, for reports
//! and forms. Model ids are metadata, not rules: they are not in the rule registry.

use super::error::InputRange;
use super::{china_par, framingham2008, pce2013, prevent2023, who2019};
use serde::Serialize;

/// Metadata of one risk model.
#[derive(Copy, Clone, Debug, PartialEq, Serialize)]
pub struct ModelMeta {
    /// Model identifier (RM-GEN-6), returned with every result.
    pub id: &'static str,
    /// Human-readable name.
    pub name: &'static str,
    /// Parameter-set version.
    pub version: &'static str,
    /// Source citation.
    pub citation: &'static str,
    /// Input ranges, by exchange-format field name.
    pub ranges: &'static [InputRange],
}

static ALL: [ModelMeta; 6] = [
    ModelMeta {
        id: china_par::MODEL_ID,
        name: "China-PAR 10-year ASCVD risk",
        version: "T/JPMA 024—2024 3-dp coefficients; X̄ 140.68/117.26; S10 0.9707/0.98507; mmol/L ÷ 0.0259",
        citation: "Yang X et al. Circulation 2016;134:1430-1440, doi:10.1161/CIRCULATIONAHA.116.022367; T/JPMA 024—2024 Appendices C/D; spec RM-CPAR",
        ranges: china_par::RANGES,
    },
    ModelMeta {
        id: who2019::MODEL_ID_LAB,
        name: "WHO 2019 CVD risk, laboratory model",
        version: "authors' coefficients (skkceu/stata@d4372b6); GBD 2017 region recalibration (cal2)",
        citation: "WHO CVD Risk Chart Working Group. Lancet Glob Health 2019;7:e1332-45, doi:10.1016/S2214-109X(19)30318-3; spec RM-WHO19",
        ranges: who2019::RANGES,
    },
    ModelMeta {
        id: who2019::MODEL_ID_NONLAB,
        name: "WHO 2019 CVD risk, non-laboratory model",
        version: "authors' coefficients (skkceu/stata@d4372b6); GBD 2017 region recalibration (cal2)",
        citation: "WHO CVD Risk Chart Working Group. Lancet Glob Health 2019;7:e1332-45, doi:10.1016/S2214-109X(19)30318-3; spec RM-WHO19",
        ranges: who2019::RANGES,
    },
    ModelMeta {
        id: pce2013::MODEL_ID,
        name: "ACC/AHA Pooled Cohort Equations",
        version: "Goff 2013 Appendix Table A, 3-dp coefficients",
        citation: "Goff DC Jr et al. Circulation 2014;129(25 Suppl 2):S49-73, doi:10.1161/01.cir.0000437741.48606.98; spec RM-PCE",
        ranges: pce2013::RANGES,
    },
    ModelMeta {
        id: prevent2023::MODEL_ID,
        name: "AHA PREVENT base model (10 and 30 years)",
        version: "preventr@ebe2ac1 sysdata base_10yr/base_30yr",
        citation: "Khan SS et al. Circulation 2024;149:430-449, doi:10.1161/CIRCULATIONAHA.123.067626; spec RM-PRV",
        ranges: prevent2023::RANGES,
    },
    ModelMeta {
        id: framingham2008::MODEL_ID,
        name: "Framingham 2008 general CVD risk",
        version: "framinghamheartstudy.org coefficients",
        citation: "D'Agostino RB Sr et al. Circulation 2008;117:743-753, doi:10.1161/CIRCULATIONAHA.107.699579; spec RM-FRS",
        ranges: framingham2008::RANGES,
    },
];

/// Every risk equation of the library (the WHO/ISH 2007 chart has its own module,
/// `who_ish2007`, and id `who-ish-2007@wpr-b`).
pub fn all_models() -> &'static [ModelMeta] {
    &ALL
}

/// Looks a model up by id.
pub fn get(id: &str) -> Option<&'static ModelMeta> {
    ALL.iter().find(|m| m.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_the_rm_gen_6_ids_and_unique() {
        let ids: Vec<&str> = all_models().iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            [
                "china-par-10y@tjpma2024-3dp",
                "who2019-lab@gbd2017-region",
                "who2019-nonlab@gbd2017-region",
                "pce-2013@goff-3dp",
                "prevent-2023-base",
                "frs-2008-cvd"
            ]
        );
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());
        assert_eq!(get("pce-2013@goff-3dp").unwrap().ranges[0].hi, 79.0);
    }

    #[test]
    fn ranges_use_exchange_field_names() {
        let known = [
            "age", "sbp", "tc_mmol", "tc_mgdl", "hdl_mmol", "hdl_mgdl", "waist_cm", "bmi", "egfr",
        ];
        for m in all_models() {
            assert!(!m.ranges.is_empty(), "{}", m.id);
            for r in m.ranges {
                assert!(known.contains(&r.field), "{} {}", m.id, r.field);
                assert!(r.lo < r.hi);
            }
        }
    }
}

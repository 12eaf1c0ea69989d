//! Placeholder library target so the bench-only package builds; see `benches/models.rs`.

//! The tests' pseudo-random numbers: Marsaglia's xorshift64 (shifts 13, 7, 17), a
//! fixed sequence per seed, so a failing case comes back on every run.

/// Advances `state` (never 0) one step and returns the new state.
pub(crate) fn xorshift64(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

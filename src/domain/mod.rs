//! Pure domain logic: no IO, no clocks, no clients. Unit-tested where it lives.

pub mod mask;
pub mod plan;

//! How every generator of the benchmark makes its records (included by `#[path]`): the
//! `id`th reading or flat sample, the same values in every pipeline. The record types
//! are each crate's own bindings, so [`impl_make`] implements [`Make`] for them.

/// How to make the `id`th record of a shape.
pub trait Make: Sized {
    fn make(id: u64, names: &[String]) -> Self;
}

/// The sixteen sensor names (`s0` … `s15`), formatted once.
pub fn names() -> Vec<String> {
    (0..16).map(|i| format!("s{i}")).collect()
}

/// The temperature of record `id`.
pub fn celsius(id: u64) -> f64 {
    (id % 100) as f64 / 4.0
}

/// `impl_make!(Reading, Sample)`: [`Make`] for a crate's `reading` (the sensor's name)
/// and `sample` (its number) types.
macro_rules! impl_make {
    ($reading:ident, $sample:ident) => {
        impl records::Make for $reading {
            fn make(id: u64, names: &[String]) -> Self {
                $reading {
                    id,
                    sensor: names[(id % 16) as usize].clone(),
                    celsius: records::celsius(id),
                }
            }
        }

        impl records::Make for $sample {
            fn make(id: u64, _: &[String]) -> Self {
                $sample {
                    id,
                    sensor: (id % 16) as u32,
                    celsius: records::celsius(id),
                }
            }
        }
    };
}
pub(crate) use impl_make;

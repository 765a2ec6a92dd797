//! Image quick-look: the limits and stretches that turn pixel values into grey levels.

pub mod scale;

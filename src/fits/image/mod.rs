//! Image quick-looks: sampling a plane on a grid by range reads, and the
//! limits and stretches that turn pixel values into grey levels.

pub mod quicklook;
pub mod read;
pub mod sample;
pub mod scale;

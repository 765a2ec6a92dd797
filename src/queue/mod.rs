//! Downloads: the job state machine, safe destinations, part planning and
//! resume records. (The engine and the persisted queue build on these.)

pub mod engine;
pub mod job;
pub mod parts;
pub mod path;
pub mod store;

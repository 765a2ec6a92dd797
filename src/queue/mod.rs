//! Downloads: the job state machine, safe destinations, part planning,
//! resume records made durable, the shared in-flight limits, and the engine
//! that fetches one object within them.

pub mod adapt;
pub mod blocking;
pub mod check;
pub mod crc;
pub mod durable;
pub mod engine;
pub mod fetch;
pub mod gate;
pub mod group_sync;
pub mod job;
pub mod options;
pub mod part_file;
pub mod parts;
pub mod path;
pub mod plan;
pub mod store;
pub mod transfers;
pub mod verify;

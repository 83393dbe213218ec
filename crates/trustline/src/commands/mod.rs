pub mod accounts;
pub mod audit;
pub mod bench;
pub mod import;
pub mod init;
pub mod keys;
pub mod serve;
pub mod user;

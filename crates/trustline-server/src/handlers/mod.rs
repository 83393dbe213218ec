//! Thin handlers: extract typed input, make one call, shape the answer.

pub(crate) mod agents_api;
pub(crate) mod audit_api;
pub(crate) mod calls_api;
pub(crate) mod campaigns_api;
mod contact_view;
pub(crate) mod contacts_api;
pub(crate) mod custom_fields_api;
pub(crate) mod health;
pub(crate) mod imports_api;
pub(crate) mod incidents_api;
pub(crate) mod live_api;
pub(crate) mod openapi;
pub(crate) mod pages;
pub(crate) mod queues_api;
pub(crate) mod registers_api;
pub(crate) mod reports_api;
pub(crate) mod retention_api;
pub(crate) mod session_api;
pub(crate) mod subject_rights_api;
pub(crate) mod tenant_api;
pub(crate) mod tokens_api;
pub(crate) mod training_api;
pub(crate) mod trust_api;
pub(crate) mod users_api;
mod views;
pub(crate) mod webhooks_api;
pub(crate) mod work_api;

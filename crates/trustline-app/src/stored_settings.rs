//! Stored settings read back into the domain's form; the store keeps them
//! as the JSON the domain checked.

use trustline_domain::dialing::CampaignSettings;
use trustline_domain::routing::{QueueSettings, SkillLevels};
use trustline_store::{Campaign, Queue, RegisterEntry, StoreError};

pub fn settings_of(campaign: &Campaign) -> Result<CampaignSettings, StoreError> {
    serde_json::from_str(&campaign.settings).map_err(|_| StoreError::Corrupt(format!("settings of campaign {}", campaign.id)))
}

pub fn queue_settings_of(queue: &Queue) -> Result<QueueSettings, StoreError> {
    serde_json::from_str(&queue.settings).map_err(|_| StoreError::Corrupt(format!("settings of queue {}", queue.id)))
}

pub fn skills_of(json: &str) -> Result<SkillLevels, StoreError> {
    serde_json::from_str(json).map_err(|_| StoreError::Corrupt("an agent's skills".into()))
}

/// A supplier or risk register entry in the domain's form.
pub fn register_entry_of<T: serde::de::DeserializeOwned>(entry: &RegisterEntry) -> Result<T, StoreError> {
    serde_json::from_str(&entry.body).map_err(|_| StoreError::Corrupt(format!("register entry {}", entry.id)))
}

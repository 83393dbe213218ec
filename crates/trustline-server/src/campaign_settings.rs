//! A stored campaign's settings read back into the domain's form; the store
//! keeps them as the JSON the domain checked.

use trustline_domain::dialing::CampaignSettings;
use trustline_store::{Campaign, StoreError};

pub(crate) fn settings_of(campaign: &Campaign) -> Result<CampaignSettings, StoreError> {
    serde_json::from_str(&campaign.settings).map_err(|_| StoreError::Corrupt(format!("settings of campaign {}", campaign.id)))
}

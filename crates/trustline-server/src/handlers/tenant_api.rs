use crate::auth::Authed;
use crate::error::ApiError;
use crate::error_code::ErrorCode;
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trustline_domain::AuditAction;
use trustline_domain::TenantId;
use trustline_phone::DefaultRegion;

/// A tenant's own settings as it sees them.
#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct TenantView {
    id: TenantId,
    slug: String,
    name: String,
    require_mfa: bool,
    /// ISO 3166 region for numbers written without a country code.
    default_region: Option<String>,
}

pub(crate) async fn show(authed: Authed) -> Json<TenantView> {
    let t = &authed.principal.tenant;
    Json(TenantView {
        id: t.id,
        slug: t.slug.as_str().to_owned(),
        name: t.name.clone(),
        require_mfa: t.require_mfa,
        default_region: t.default_region.clone(),
    })
}

crate::schema_only::vocabulary!(
    /// How the API document lists the regions a number without a country
    /// code may be read in: every code [`DefaultRegion::parse`] accepts.
    RegionCode,
    "An ISO 3166 region code, upper case, e.g. GB.",
    DefaultRegion::codes().collect()
);

/// At least one of the two, not null.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [
    { "required": ["require_mfa"], "properties": { "require_mfa": { "type": "boolean" } } },
    { "required": ["default_region"], "properties": { "default_region": { "type": "string" } } }
]))]
pub(crate) struct Settings {
    #[serde(default)]
    require_mfa: Option<bool>,
    /// ISO 3166 region for numbers without a country code; "" clears it.
    #[serde(default)]
    #[schemars(extend("anyOf" = [{ "$ref": "#/components/schemas/RegionCode" }, { "const": "" }, { "type": "null" }]), with = "Option<RegionCode>")]
    default_region: Option<String>,
}

pub(crate) async fn update(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(input): ApiJson<Settings>,
) -> Result<StatusCode, ApiError> {
    let tenant = authed.principal.tenant.id;
    let region = match input.default_region.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(code) => {
            DefaultRegion::parse(code).map_err(|e| ApiError::new(ErrorCode::InvalidRegion, e.to_string()))?;
            Some(Some(code.to_owned()))
        }
    };
    if input.require_mfa.is_none() && region.is_none() {
        return Err(ApiError::new(ErrorCode::NothingToChange, "give require_mfa and/or default_region"));
    }
    if let Some(require) = input.require_mfa {
        let draft = authed
            .caller
            .audit(&state, AuditAction::TenantSettingsUpdate, format!("tenant:{tenant}"))
            .detail("require_mfa", require.to_string());
        state.store.set_tenant_require_mfa(tenant, require, draft).await?;
    }
    if let Some(region) = region {
        let draft = authed
            .caller
            .audit(&state, AuditAction::TenantSettingsUpdate, format!("tenant:{tenant}"))
            .detail("default_region", region.clone().unwrap_or_default());
        state.store.set_tenant_default_region(tenant, region.as_deref(), draft).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

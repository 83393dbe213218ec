use anyhow::bail;
use clap::Args;
use std::process::ExitCode;
use trustline_dialer::{ModeReport, SimulationConfig, simulate_all};
use trustline_domain::dialing::WindowLength;

#[derive(Args)]
pub struct SimulateArgs {
    /// Agents logged in for the whole run.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    agents: u32,
    /// Hours of virtual time.
    #[arg(long, default_value_t = 8.0)]
    hours: f64,
    /// Share of dialled calls a person answers (0 to 1).
    #[arg(long, default_value_t = 0.3)]
    answer_rate: f64,
    /// The same seed gives the same run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Abandonment cap, as a share of answered calls.
    #[arg(long, default_value_t = 0.03)]
    abandonment_cap: f64,
    /// Count the cap over 24 hours instead of 30 days.
    #[arg(long)]
    daily_window: bool,
    /// Print one JSON object keyed by mode.
    #[arg(long)]
    json: bool,
}

pub fn run(args: SimulateArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.answer_rate) || args.answer_rate.is_nan() {
        bail!("--answer-rate must be between 0 and 1 (got {})", args.answer_rate);
    }
    if !(args.hours > 0.0 && args.hours <= 24.0 * 31.0) {
        bail!("--hours must be more than 0 and at most 744 (got {})", args.hours);
    }
    if !(args.abandonment_cap > 0.0 && args.abandonment_cap < 1.0) {
        bail!("--abandonment-cap must be between 0 and 1, exclusive (got {})", args.abandonment_cap);
    }
    let mut config = SimulationConfig::new(args.agents, args.hours, args.answer_rate, args.seed);
    config.policy.cap = args.abandonment_cap;
    if args.daily_window {
        config.policy.window = WindowLength::Hours24;
    }
    if args.answer_rate + config.carrier.machine_rate + config.carrier.busy_rate > 1.0 {
        config.carrier.machine_rate = (1.0 - args.answer_rate) / 2.0;
        config.carrier.busy_rate = 0.0;
    }
    let report = simulate_all(&config)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} agents, {} h, answer rate {:.0} %, abandonment cap {:.1} %, seed {}",
        args.agents,
        args.hours,
        args.answer_rate * 100.0,
        args.abandonment_cap * 100.0,
        args.seed
    );
    println!(
        "{:<12} {:>10} {:>12} {:>16} {:>15} {:>8}",
        "mode", "occupancy", "abandonment", "talk min/agent h", "contacts/agent h", "calls"
    );
    for (mode, r) in [("preview", &report.preview), ("progressive", &report.progressive), ("predictive", &report.predictive)] {
        print_row(mode, r);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_row(mode: &str, r: &ModeReport) {
    println!(
        "{mode:<12} {:>9.1}% {:>11.2}% {:>16.1} {:>15.1} {:>8}",
        r.occupancy * 100.0,
        r.abandonment_rate * 100.0,
        r.talk_minutes_per_agent_hour,
        r.contacts_per_agent_hour,
        r.calls_placed
    );
}

//! Answering-machine detection against a corpus made here: people
//! answering ("Hello?", "Yes, who's calling?") and machines' greetings
//! ending in a beep, spoken by espeak-ng in several voices and speeds,
//! shaped by sox into a phone line's audio (8 kHz, 300 to 3,400 Hz) and
//! through G.711, with the gap after the answer varied; also silence,
//! special information tones and line noise. Each sample is fed to the
//! answer analysis in 20 ms frames as a call's audio would be; the
//! confusion matrix, the decision times and whether beeps and information
//! tones were found are printed.

use anyhow::{Context, bail};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use trustline_call_analysis::{AmdSettings, Answer, AnswerAnalysis, BeepDetector, InformationToneDetector};
use trustline_sip::G711;

/// What answered, as the corpus knows it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Truth {
    Person,
    Machine,
    Silence,
    InformationTones,
    Noise,
}

impl Truth {
    fn name(self) -> &'static str {
        match self {
            Truth::Person => "person",
            Truth::Machine => "machine",
            Truth::Silence => "silence",
            Truth::InformationTones => "information_tones",
            Truth::Noise => "noise",
        }
    }
}

const PEOPLE: [&str; 9] = [
    "Hello?",
    "Hello, Anna speaking.",
    "Hello.",
    "Yes?",
    "Hi, who's this?",
    "Yes, who's calling?",
    "Speaking.",
    "Hello, yes?",
    "Good afternoon.",
];

const MACHINES: [&str; 7] = [
    "Hi, it's Bob. Leave a message.",
    "Leave a message.",
    "Hi, you've reached Sarah. I can't take your call right now, please leave a message after the tone.",
    "Thank you for calling Oakwood Dental. Our office is currently closed. Please leave your name and number and we will call you back.",
    "The person you are calling is not available. Please leave a message after the beep.",
    "Hello, this is Mark. Sorry I missed you. Leave a message and I'll get back to you.",
    "You have reached the voicemail of extension four two one. Please record your message after the tone.",
];

const VOICES: [&str; 4] = ["en", "en-us", "en+f3", "en+m3"];
const SPEEDS: [u32; 2] = [150, 185];
/// Seconds between the answer and the first word.
const LEADS: [f64; 2] = [0.3, 0.9];

struct Sample {
    truth: Truth,
    /// What it is, for the list of those misjudged.
    label: String,
    audio: Vec<i16>,
}

#[derive(serde::Serialize)]
struct Figures {
    samples: usize,
    humans: usize,
    machines: usize,
    humans_as_machines: f64,
    machines_detected: f64,
    decision_ms_p50: u32,
    decision_ms_p90: u32,
    /// Machines whose beep was found after their greeting.
    beeps_found: f64,
    /// Information-tone samples recognised as such.
    information_tones_found: f64,
    /// Information tones, beeps, taken for either in the people's answers.
    false_tones_in_people: usize,
    /// Truth, then what the detector said, then how many.
    confusion: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    /// People taken for machines and machines not detected, with why.
    misjudged: Vec<String>,
}

pub fn run(settings: AmdSettings, json: bool) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let corpus = corpus(dir.path())?;
    let figures = measure(&corpus, settings);
    if json {
        println!("{}", serde_json::to_string(&figures)?);
        return Ok(());
    }
    println!(
        "{} samples ({} people, {} machines): people taken for machines {:.1} %, machines detected {:.1} %, decision p50 {} ms, p90 {} ms",
        figures.samples,
        figures.humans,
        figures.machines,
        figures.humans_as_machines * 100.0,
        figures.machines_detected * 100.0,
        figures.decision_ms_p50,
        figures.decision_ms_p90
    );
    println!(
        "beeps found {:.1} %, information tones found {:.1} %, false tones in people's answers {}",
        figures.beeps_found * 100.0,
        figures.information_tones_found * 100.0,
        figures.false_tones_in_people
    );
    for (truth, said) in &figures.confusion {
        println!("  {truth:<18} {said:?}");
    }
    for wrong in &figures.misjudged {
        println!("  misjudged: {wrong}");
    }
    Ok(())
}

fn measure(corpus: &[Sample], settings: AmdSettings) -> Figures {
    let mut confusion: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    let mut times = Vec::new();
    let (mut beeps, mut tones, mut false_tones) = (0usize, 0usize, 0usize);
    let mut misjudged = Vec::new();
    for sample in corpus {
        let mut detector = AnswerAnalysis::new(settings);
        let (mut beep, mut information) = (BeepDetector::new(), InformationToneDetector::new());
        let mut heard_beep = false;
        let mut heard_tones = false;
        for frame in sample.audio.chunks(160) {
            detector.hear(frame);
            heard_beep |= beep.hear(frame).is_some();
            heard_tones |= information.hear(frame).is_some();
        }
        let said = match detector.decision().map(|d| d.answer) {
            Some(Answer::Person) => "person",
            Some(Answer::Machine) => "machine",
            Some(Answer::InformationTones) => "information_tones",
            Some(Answer::NotSure) | None => "not_sure",
        };
        if let Some(decision) = detector.decision() {
            times.push(decision.after_ms);
        }
        let wrong = match sample.truth {
            Truth::Person => said != "person",
            Truth::Machine => said != "machine",
            Truth::Silence | Truth::InformationTones | Truth::Noise => false,
        };
        if wrong {
            let why = detector.decision().map(|d| format!("{:?} after {} ms", d.cause, d.after_ms)).unwrap_or_default();
            misjudged.push(format!("{} {}: {said} ({why})", sample.truth.name(), sample.label));
        }
        *confusion.entry(sample.truth.name()).or_default().entry(said).or_default() += 1;
        match sample.truth {
            Truth::Machine => beeps += usize::from(heard_beep),
            Truth::InformationTones => tones += usize::from(heard_tones),
            Truth::Person => false_tones += usize::from(heard_beep || heard_tones),
            Truth::Silence | Truth::Noise => {}
        }
    }
    times.sort_unstable();
    let count = |truth: Truth| corpus.iter().filter(|s| s.truth == truth).count();
    let said = |truth: Truth, what: &str| confusion.get(truth.name()).and_then(|s| s.get(what)).copied().unwrap_or(0);
    let share = |part: usize, whole: usize| if whole == 0 { 0.0 } else { part as f64 / whole as f64 };
    let percentile = |p: usize| times.get((times.len().saturating_sub(1)) * p / 100).copied().unwrap_or(0);
    let (humans, machines) = (count(Truth::Person), count(Truth::Machine));
    Figures {
        samples: corpus.len(),
        humans,
        machines,
        humans_as_machines: share(said(Truth::Person, "machine"), humans),
        machines_detected: share(said(Truth::Machine, "machine"), machines),
        decision_ms_p50: percentile(50),
        decision_ms_p90: percentile(90),
        beeps_found: share(beeps, machines),
        information_tones_found: share(tones, count(Truth::InformationTones)),
        false_tones_in_people: false_tones,
        confusion,
        misjudged,
    }
}

fn corpus(dir: &Path) -> anyhow::Result<Vec<Sample>> {
    let mut samples = Vec::new();
    let mut n = 0;
    for voice in VOICES {
        for speed in SPEEDS {
            for lead in LEADS {
                for text in PEOPLE {
                    n += 1;
                    // A person waits for the caller after answering.
                    let label = format!("{text:?} {voice} {speed}/min after {lead} s");
                    samples.push(Sample { truth: Truth::Person, label, audio: spoken(dir, n, voice, speed, text, lead, 4.0, false)? });
                }
                for text in MACHINES {
                    n += 1;
                    let label = format!("{text:?} {voice} {speed}/min after {lead} s");
                    samples.push(Sample { truth: Truth::Machine, label, audio: spoken(dir, n, voice, speed, text, lead, 1.0, true)? });
                }
            }
        }
    }
    for seconds in [6.0, 7.0] {
        samples.push(Sample {
            truth: Truth::Silence,
            label: format!("{seconds} s of silence"),
            audio: vec![0; (seconds * 8000.0) as usize],
        });
    }
    for (first, second, length) in [(913.8, 1370.6, 0.274), (985.2, 1428.5, 0.380), (913.8, 1428.5, 0.274)] {
        n += 1;
        let tones = [format!("sine {first}"), format!("sine {second}"), "sine 1776.7".to_owned()];
        let parts: Vec<Vec<i16>> =
            tones.iter().map(|tone| synth(dir, &format!("{n}-{tone}"), length, tone)).collect::<anyhow::Result<_>>()?;
        let mut audio = vec![0; 2400];
        audio.extend(parts.concat());
        audio.extend(vec![0; 16000]);
        samples.push(Sample {
            truth: Truth::InformationTones,
            label: format!("information tones {first}, {second}, 1776.7 Hz"),
            audio: line(&audio),
        });
    }
    for level in [0.02, 0.05] {
        n += 1;
        let noise = synth(dir, &format!("{n}-noise"), 6.0, &format!("whitenoise vol {level}"))?;
        samples.push(Sample { truth: Truth::Noise, label: format!("white noise at {level}"), audio: line(&noise) });
    }
    Ok(samples)
}

/// `text` in `voice` at `speed` words a minute, after `lead` seconds of
/// silence and followed by `tail` seconds of it, on a phone line; a
/// machine's greeting ends with its beep.
#[allow(clippy::too_many_arguments)]
fn spoken(dir: &Path, n: usize, voice: &str, speed: u32, text: &str, lead: f64, tail: f64, beep: bool) -> anyhow::Result<Vec<i16>> {
    let wav = dir.join(format!("{n}.wav"));
    let spoke = Command::new("espeak-ng")
        .args(["-v", voice, "-s", &speed.to_string(), "-w"])
        .arg(&wav)
        .arg(text)
        .status()
        .context("espeak-ng makes the corpus's speech (apt-get install espeak-ng)")?;
    if !spoke.success() {
        bail!("espeak-ng failed on {text:?}");
    }
    let speech = to_line_rate(dir, &wav, n)?;
    let mut audio = vec![0; (lead * 8000.0) as usize];
    audio.extend(speech);
    if beep {
        audio.extend(vec![0; 2400]);
        audio.extend(synth(dir, &format!("{n}-beep"), 0.5, "sine 1000")?);
    }
    audio.extend(vec![0; (tail * 8000.0) as usize]);
    Ok(line(&audio))
}

/// A file resampled to 8 kHz mono and band-limited as a phone line is.
fn to_line_rate(dir: &Path, from: &Path, n: usize) -> anyhow::Result<Vec<i16>> {
    let raw = dir.join(format!("{n}.raw"));
    let done = Command::new("sox")
        .arg(from)
        .args(["-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"])
        .arg(&raw)
        .args(["sinc", "300-3400"])
        .status()
        .context("sox shapes the corpus's audio (apt-get install sox)")?;
    if !done.success() {
        bail!("sox could not convert {}", from.display());
    }
    read_raw(&raw)
}

/// `seconds` of a sox `synth` sound (`tone` as sox writes it) at 8 kHz.
fn synth(dir: &Path, name: &str, seconds: f64, tone: &str) -> anyhow::Result<Vec<i16>> {
    let raw = dir.join(format!("{}.raw", name.replace([' ', '.'], "_")));
    let mut words = tone.split(' ');
    let (kind, rest): (&str, Vec<&str>) = (words.next().unwrap_or("sine"), words.collect());
    let mut command = Command::new("sox");
    command.args(["-n", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"]).arg(&raw).arg("synth").arg(seconds.to_string());
    match (kind, rest.as_slice()) {
        ("whitenoise", ["vol", level]) => command.arg("whitenoise").args(["vol", level]),
        (kind, rest) => command.arg(kind).args(rest).args(["vol", "0.5"]),
    };
    if !command.status().context("sox makes the corpus's tones (apt-get install sox)")?.success() {
        bail!("sox could not make {tone}");
    }
    read_raw(&raw)
}

fn read_raw(path: &Path) -> anyhow::Result<Vec<i16>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(bytes.chunks_exact(2).filter_map(|b| <[u8; 2]>::try_from(b).ok()).map(i16::from_le_bytes).collect())
}

/// Through G.711 and back, as the edge hears a carrier's audio.
fn line(audio: &[i16]) -> Vec<i16> {
    audio.iter().map(|s| G711::Pcmu.decode(G711::Pcmu.encode(*s))).collect()
}

//! PC speaker sound: the emulation thread posts what the speaker does (a PIT square wave or a
//! level driven through port 0x61) with its virtual time; the SDL audio thread synthesises
//! samples from those changes. Tones keep their phase across changes and every start and
//! stop ramps over a millisecond, so there are no clicks; the synthesiser never runs dry
//! (silence is produced, not awaited), so there are no underruns.

use rawbox_devices::speaker::SpeakerOutput;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// Output sample rate.
pub const SAMPLE_RATE: u32 = 48_000;
/// Peak amplitude (a quarter of full scale: the PC speaker is loud).
const AMPLITUDE: f32 = 0.25;
/// Samples for a fade in or out (1 ms).
const RAMP: f32 = (SAMPLE_RATE / 1000) as f32;

/// Speaker changes shared between the emulation and audio threads.
#[derive(Clone, Debug, Default)]
pub struct SpeakerQueue(Arc<Mutex<VecDeque<SpeakerOutput>>>);

impl SpeakerQueue {
    /// Posts a change (the emulation thread calls this only when the output changed).
    pub fn post(&self, out: SpeakerOutput) {
        if let Ok(mut q) = self.0.lock() {
            // A guest toggling the port faster than the audio thread drains must not grow
            // the queue without bound.
            if q.len() < 4096 {
                q.push_back(out);
            }
        }
    }

    fn drain(&self) -> Vec<SpeakerOutput> {
        self.0
            .lock()
            .map(|mut q| q.drain(..).collect())
            .unwrap_or_default()
    }
}

/// The square-wave synthesiser.
#[derive(Debug)]
pub struct Synth {
    queue: SpeakerQueue,
    /// The target: tone frequency (0 for none) and level for software-driven output.
    hz: f32,
    level: f32,
    /// Phase in cycles [0, 1).
    phase: f32,
    /// Current gain, ramping towards the target.
    gain: f32,
    /// DC blocker state (a held level is silence, as on a real speaker).
    dc_prev_in: f32,
    dc_prev_out: f32,
}

impl Synth {
    pub fn new(queue: SpeakerQueue) -> Synth {
        Synth {
            queue,
            hz: 0.0,
            level: 0.0,
            phase: 0.0,
            gain: 0.0,
            dc_prev_in: 0.0,
            dc_prev_out: 0.0,
        }
    }

    fn apply(&mut self, out: SpeakerOutput) {
        match out {
            // Tones above hearing (or faster than the sample rate can show) are silence.
            SpeakerOutput::Tone { hz } if hz.is_finite() && hz > 0.0 && hz < 20_000.0 => {
                self.hz = hz as f32;
            }
            SpeakerOutput::Tone { .. } => self.hz = 0.0,
            SpeakerOutput::Level(on) => {
                self.hz = 0.0;
                self.level = if on { AMPLITUDE } else { -AMPLITUDE };
            }
        }
    }

    /// Fills `out` with the next samples.
    pub fn fill(&mut self, out: &mut [f32]) {
        for change in self.queue.drain() {
            self.apply(change);
        }
        let step = self.hz / SAMPLE_RATE as f32;
        let target = if self.hz > 0.0 { 1.0 } else { 0.0 };
        for s in out.iter_mut() {
            if self.gain < target {
                self.gain = (self.gain + 1.0 / RAMP).min(target);
            } else if self.gain > target {
                self.gain = (self.gain - 1.0 / RAMP).max(target);
            }
            let tone = if self.phase < 0.5 {
                AMPLITUDE
            } else {
                -AMPLITUDE
            };
            if self.gain > 0.0 {
                self.phase = (self.phase + step).fract();
            }
            let x = tone * self.gain + self.level * (1.0 - self.gain);
            // One-pole DC blocker: a speaker cone held in one place makes no sound.
            let y = x - self.dc_prev_in + 0.995 * self.dc_prev_out;
            self.dc_prev_in = x;
            self.dc_prev_out = y;
            *s = y;
        }
    }
}

impl sdl2::audio::AudioCallback for Synth {
    type Channel = f32;
    fn callback(&mut self, out: &mut [f32]) {
        self.fill(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(synth: &mut Synth, n: usize) -> Vec<f32> {
        let mut v = vec![0.0; n];
        synth.fill(&mut v);
        v
    }

    /// Sign changes per second of a signal.
    fn crossings_per_second(v: &[f32]) -> f32 {
        let n = v
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        n as f32 * SAMPLE_RATE as f32 / v.len() as f32
    }

    #[test]
    fn silence_until_a_tone_starts() {
        let q = SpeakerQueue::default();
        let mut s = Synth::new(q.clone());
        assert!(run(&mut s, 4800).iter().all(|x| x.abs() < 1e-6));
    }

    #[test]
    fn a_tone_has_its_frequency() {
        let q = SpeakerQueue::default();
        let mut s = Synth::new(q.clone());
        q.post(SpeakerOutput::Tone { hz: 440.0 });
        let v = run(&mut s, SAMPLE_RATE as usize);
        // Two sign changes per cycle.
        let f = crossings_per_second(&v[4800..]) / 2.0;
        assert!((f - 440.0).abs() < 5.0, "{f}");
        assert!(v.iter().any(|x| x.abs() > AMPLITUDE * 0.9));
    }

    #[test]
    fn starts_and_stops_ramp_without_clicks() {
        let q = SpeakerQueue::default();
        let mut s = Synth::new(q.clone());
        q.post(SpeakerOutput::Tone { hz: 1000.0 });
        let start = run(&mut s, 48);
        // The first millisecond rises gradually.
        assert!(start[0].abs() < AMPLITUDE * 0.1, "{}", start[0]);
        let _ = run(&mut s, 4800);
        q.post(SpeakerOutput::Level(false));
        let stop = run(&mut s, 4800);
        // No jump bigger than a full square-wave edge, and it fades to silence.
        for w in stop.windows(2) {
            assert!((w[1] - w[0]).abs() <= 2.0 * AMPLITUDE + 1e-3);
        }
        assert!(
            stop[4000..].iter().all(|x| x.abs() < 0.05),
            "{:?}",
            &stop[4000..4010]
        );
    }

    #[test]
    fn inaudible_and_bogus_frequencies_are_silent() {
        for hz in [f64::NAN, f64::INFINITY, 0.0, -5.0, 1_193_182.0] {
            let q = SpeakerQueue::default();
            let mut s = Synth::new(q.clone());
            q.post(SpeakerOutput::Tone { hz });
            let v = run(&mut s, 4800);
            assert!(v.iter().all(|x| x.abs() < 1e-6), "{hz}");
        }
    }

    #[test]
    fn software_toggled_levels_make_sound() {
        let q = SpeakerQueue::default();
        let mut s = Synth::new(q.clone());
        let mut v = Vec::new();
        for k in 0..200 {
            q.post(SpeakerOutput::Level(k % 2 == 0));
            v.extend(run(&mut s, 24));
        }
        assert!(v.iter().any(|x| x.abs() > AMPLITUDE * 0.5));
    }
}

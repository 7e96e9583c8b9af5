//! A process that dies just before one of its outward calls: armed at call `n`, the fakes
//! (Slack, GitHub, CodeBuild) refuse that call and every later one, as a dead process would
//! never make them, until the test brings banto back (`recover`). Crash-point sweeps arm it at
//! each call of a flow in turn and check that the inbox's re-run makes each effect exactly once.

use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
pub struct CrashPoint(Arc<Mutex<State>>);

#[derive(Default)]
struct State {
    /// Calls still allowed before the crash; `None`: not armed.
    left: Option<u32>,
    down: bool,
    /// Outward calls seen since the last `arm` or `count`.
    seen: u32,
}

impl CrashPoint {
    /// Die just before the `n`-th outward call from now (1: the next one).
    pub fn arm(&self, n: u32) {
        assert!(n >= 1, "calls count from 1");
        *self.0.lock().expect("crash point") = State {
            left: Some(n - 1),
            down: false,
            seen: 0,
        };
    }

    /// Start counting calls without crashing (to learn how many a flow makes).
    pub fn count(&self) {
        *self.0.lock().expect("crash point") = State::default();
    }

    /// Outward calls made since `arm` or `count`.
    pub fn seen(&self) -> u32 {
        self.0.lock().expect("crash point").seen
    }

    pub fn is_down(&self) -> bool {
        self.0.lock().expect("crash point").down
    }

    /// banto is back: calls go through again.
    pub fn recover(&self) {
        let mut st = self.0.lock().expect("crash point");
        st.left = None;
        st.down = false;
    }

    /// A fake is about to answer a call: false when the process is down (refuse it).
    pub fn enter(&self) -> bool {
        let mut st = self.0.lock().expect("crash point");
        if st.down {
            return false;
        }
        match st.left {
            Some(0) => {
                st.down = true;
                false
            }
            Some(ref mut n) => {
                *n -= 1;
                st.seen += 1;
                true
            }
            None => {
                st.seen += 1;
                true
            }
        }
    }
}

/// Run `act` on a world from `setup` once to count its outward calls, then once per call with
/// banto dying just before it and the inbox running the event again; `check` looks at each
/// world afterwards (`0`: the run without a crash). `CRASH_DEBUG=1` prints the clean run's calls.
pub async fn sweep<S, A, C>(name: &str, setup: S, act: A, check: C)
where
    S: AsyncFn() -> crate::fake::world::World,
    A: AsyncFn(&crate::fake::world::World),
    C: AsyncFn(&crate::fake::world::World, u32),
{
    let world = setup().await;
    world.crash.count();
    act(&world).await;
    world.settle().await.expect("the run without a crash");
    let calls = world.crash.seen();
    if std::env::var("CRASH_DEBUG").is_ok() {
        eprintln!(
            "{name}: {calls} calls; slack {:?}\ngithub {:?}",
            world.slack.state().calls,
            world.github.state().calls
        );
    }
    assert!(calls >= 2, "{name}: a clean run makes {calls} calls");
    check(&world, 0).await;
    drop(world);
    // Concurrent lookups may share an answer or not, so a run's count can vary by a call or
    // two: a point a run never reached is a run without a crash.
    let mut crashed = 0;
    for n in 1..=calls {
        let world = setup().await;
        world.crash.arm(n);
        act(&world).await;
        crashed += u32::from(
            world
                .rerun_after_crash()
                .await
                .unwrap_or_else(|e| panic!("{name}, crash before call {n} of {calls}: {e}")),
        );
        check(&world, n).await;
    }
    assert!(
        crashed + 2 >= calls,
        "{name}: only {crashed} of {calls} crash points were reached"
    );
}

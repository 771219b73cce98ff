//! Tests of the rate limiter: the window logic on synthetic instants, then the async waits
//! on tokio's paused clock.

mod window {
    use super::super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    fn ms(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    #[test]
    fn window_refuses_when_full_until_oldest_leaves() {
        let t0 = Instant::now();
        let mut w = Window::new(3, secs(10));
        assert!(w.try_take(t0).is_ok());
        assert!(w.try_take(t0 + secs(1)).is_ok());
        assert!(w.try_take(t0 + secs(2)).is_ok());
        // a slot is reused one window plus the 2% margin later (10 s + 200 ms)
        assert_eq!(w.try_take(t0 + secs(3)), Err(t0 + ms(10_200)));
        assert!(w.try_take(t0 + ms(10_200)).is_ok());
        assert_eq!(w.try_take(t0 + ms(10_200)), Err(t0 + ms(11_200)));
    }

    #[test]
    fn a_slot_is_not_reused_exactly_one_window_later() {
        // Regression: the server stamps a request on arrival, after our stamp; reusing the
        // slot at exactly +span reached a server whose window still held the old request
        // (429s at every window edge of a saturated job against `serve --rate-limit 20/1s`).
        let t0 = Instant::now();
        let mut w = Window::new(1, secs(1));
        w.try_take(t0).unwrap();
        assert_eq!(w.try_take(t0 + secs(1)), Err(t0 + ms(1_020)));
        assert!(w.try_take(t0 + ms(1_020)).is_ok());
    }

    #[test]
    fn server_remaining_lower_than_local_is_trusted() {
        let t0 = Instant::now();
        let mut w = Window::new(10, secs(10));
        w.try_take(t0).unwrap();
        w.observe(
            RateHeaders {
                max: Some(10),
                remaining: Some(2),
                interval: None,
            },
            t0,
        );
        assert_eq!(w.sent.len(), 8);
        w.try_take(t0).unwrap();
        w.try_take(t0).unwrap();
        assert!(w.try_take(t0).is_err());
    }

    #[test]
    fn server_remaining_higher_than_local_changes_nothing() {
        let t0 = Instant::now();
        let mut w = Window::new(10, secs(10));
        for _ in 0..5 {
            w.try_take(t0).unwrap();
        }
        w.observe(
            RateHeaders {
                max: None,
                remaining: Some(9),
                interval: None,
            },
            t0,
        );
        assert_eq!(w.sent.len(), 5);
    }

    #[test]
    fn max_and_interval_are_adopted() {
        let t0 = Instant::now();
        let mut w = Window::new(100, secs(10));
        w.observe(
            RateHeaders {
                max: Some(190),
                remaining: None,
                interval: Some(Duration::from_secs(5)),
            },
            t0,
        );
        assert_eq!(w.limit, 190);
        assert_eq!(w.span, secs(5));
        // zero values are ignored rather than dividing the budget to nothing
        w.observe(
            RateHeaders {
                max: Some(0),
                remaining: None,
                interval: Some(Duration::ZERO),
            },
            t0,
        );
        assert_eq!(w.limit, 190);
        assert_eq!(w.span, secs(5));
    }

    #[test]
    fn block_holds_even_an_empty_window() {
        let t0 = Instant::now();
        let mut w = Window::new(10, secs(10));
        w.block_until(t0 + secs(3));
        w.block_until(t0 + secs(1)); // an earlier block never shortens a later one
        assert_eq!(w.try_take(t0), Err(t0 + secs(3)));
        assert!(w.try_take(t0 + secs(3)).is_ok());
    }

    #[test]
    fn block_after_429_without_hint_waits_for_window_or_floor() {
        let lim = RateLimiter::new(&RateConfig {
            per_10s: 100,
            search_per_sec: 5,
        });
        let wait = lim.block_after_429(Bucket::Search, None, secs(1));
        assert_eq!(wait, secs(1));
        let wait = lim.block_after_429(Bucket::General, Some(secs(4)), secs(1));
        assert_eq!(wait, secs(4));
    }

    #[tokio::test]
    async fn acquire_takes_slots_without_waiting_when_free() {
        let lim = RateLimiter::new(&RateConfig {
            per_10s: 3,
            search_per_sec: 1,
        });
        for _ in 0..3 {
            lim.acquire(Bucket::General).await;
        }
        lim.acquire(Bucket::Search).await;
        assert_eq!(lim.in_use(Bucket::General), 3);
        assert_eq!(lim.in_use(Bucket::Search), 1);
    }
}

mod paused_time {
    //! The async waits, on tokio's paused clock: deterministic, no real sleeping.

    use super::super::*;

    fn limiter(per_10s: u32, search_per_sec: u32) -> RateLimiter {
        RateLimiter::new(&RateConfig {
            per_10s,
            search_per_sec,
        })
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_window_makes_the_next_caller_wait_for_the_oldest_slot() {
        let lim = limiter(3, 5);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(lim.acquire(Bucket::General).await, Duration::ZERO);
        }
        tokio::time::advance(Duration::from_secs(4)).await;
        lim.acquire(Bucket::General).await;
        // the first three were taken at `start`: the fourth waits for the window to slide
        // (10 s plus the 2% margin)
        assert_eq!(Instant::now() - start, Duration::from_millis(10_200));
        // search has its own budget and did not wait
        let before = Instant::now();
        lim.acquire(Bucket::Search).await;
        assert_eq!(Instant::now(), before);
    }

    #[tokio::test(start_paused = true)]
    async fn search_is_held_to_its_per_second_budget() {
        let lim = limiter(100, 5);
        let start = Instant::now();
        for _ in 0..11 {
            lim.acquire(Bucket::Search).await;
        }
        // 5 at t=0, 5 at t=1.02 s, the 11th at t=2.04 s (1 s windows plus the 2% margin)
        assert_eq!(Instant::now() - start, Duration::from_millis(2_040));
        assert_eq!(lim.in_use(Bucket::General), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_block_holds_every_caller_of_the_bucket() {
        let lim = std::sync::Arc::new(limiter(100, 5));
        let start = Instant::now();
        lim.block_after_429(
            Bucket::General,
            Some(Duration::from_secs(3)),
            Duration::ZERO,
        );
        let other = {
            let lim = lim.clone();
            tokio::spawn(async move { lim.acquire(Bucket::General).await })
        };
        lim.acquire(Bucket::General).await;
        assert_eq!(other.await.unwrap(), Duration::from_secs(3));
        assert_eq!(Instant::now() - start, Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn a_dropped_wait_takes_no_slot() {
        let lim = limiter(1, 5);
        lim.acquire(Bucket::General).await;
        let waited =
            tokio::time::timeout(Duration::from_secs(1), lim.acquire(Bucket::General)).await;
        assert!(waited.is_err(), "still waiting when cancelled");
        assert_eq!(lim.in_use(Bucket::General), 1);
    }
}

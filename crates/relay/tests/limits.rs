//! What the relay refuses: a foreign origin, an unknown site, oversized and too many frames,
//! and too many sockets from one address.

mod support;

use flare_core::chat::protocol::{ClientFrame, Refusal, ServerFrame, MAX_FRAME_BYTES};
use support::{raw_socket, Panel, RelayOptions, RelayProcess, Sandbox, ORIGIN, SITE};
use tokio_tungstenite::tungstenite::Error as WsError;

fn status_of(result: Result<impl Sized, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other}"),
        Ok(_) => panic!("the upgrade was accepted"),
    }
}

fn anonymous() -> ClientFrame {
    ClientFrame::Hello {
        visitor: None,
        identity: None,
        conversation: None,
        after: 0,
        locale: None,
    }
}

#[tokio::test]
async fn only_the_sites_exact_origins_may_open_a_socket() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(&sandbox.url, RelayOptions::default());
    for origin in [
        "http://evil.example",
        "http://shop.example.evil.example",
        "https://shop.example",
        "http://shop.example:8080",
        "null",
    ] {
        assert_eq!(
            status_of(raw_socket(&relay.ws_url(), origin).await),
            403,
            "{origin}"
        );
    }
    let unknown_site = relay.ws_url().replace(&format!("site={SITE}"), "site=nope");
    assert_eq!(status_of(raw_socket(&unknown_site, ORIGIN).await), 404);
    let metrics = reqwest::get(format!("{}/metrics", relay.url))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("flare_relay_refused_origins_total 5"),
        "{metrics}"
    );
    let health = reqwest::get(format!("{}/healthz", relay.url))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn an_oversized_message_is_refused_and_the_socket_stays_usable() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(&sandbox.url, RelayOptions::default());
    let mut panel = Panel::connect(&relay, anonymous()).await;
    let huge = ClientFrame::Send {
        conversation: panel.conversation.clone(),
        client_id: "big".into(),
        text: "x".repeat(MAX_FRAME_BYTES),
        reply: None,
    };
    panel.send(&huge).await;
    let refusal = panel
        .until(|frame| matches!(frame, ServerFrame::Refused { .. }))
        .await;
    assert_eq!(
        refusal,
        ServerFrame::Refused {
            reason: Refusal::TooLarge,
            client_id: None
        }
    );
    panel.send(&ClientFrame::Ping).await;
    panel.until(|frame| *frame == ServerFrame::Pong).await;
    panel.send_text("{\"type\":\"shout\"}".into()).await;
    let refusal = panel
        .until(|frame| matches!(frame, ServerFrame::Refused { .. }))
        .await;
    assert!(matches!(
        refusal,
        ServerFrame::Refused {
            reason: Refusal::Malformed,
            ..
        }
    ));
}

#[tokio::test]
async fn a_socket_sending_too_fast_is_told_to_slow_down() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            frames_per_minute: 30,
            ..RelayOptions::default()
        },
    );
    let mut panel = Panel::connect(&relay, anonymous()).await;
    // A burst of a fifth of the minute's allowance (6) passes; the rest is refused.
    for _ in 0..10 {
        panel.send(&ClientFrame::Ping).await;
    }
    let mut replies = vec![];
    while replies.len() < 10 {
        match panel.next().await {
            ServerFrame::Entry { .. } => continue,
            frame => replies.push(frame),
        }
    }
    let n_pongs = replies
        .iter()
        .filter(|frame| **frame == ServerFrame::Pong)
        .count();
    let n_limited = replies
        .iter()
        .filter(|frame| {
            matches!(
                frame,
                ServerFrame::Refused {
                    reason: Refusal::RateLimited,
                    ..
                }
            )
        })
        .count();
    assert_eq!((n_pongs, n_limited), (6, 4), "{replies:?}");
}

#[tokio::test]
async fn one_address_may_hold_only_so_many_sockets() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            sockets_per_ip: 2,
            ..RelayOptions::default()
        },
    );
    let first = Panel::connect(&relay, anonymous()).await;
    let _second = Panel::connect(&relay, anonymous()).await;
    assert_eq!(status_of(raw_socket(&relay.ws_url(), ORIGIN).await), 429);
    first.close().await;
    // The slot comes back once the relay has seen the close.
    let mut reopened = false;
    for _ in 0..50 {
        if raw_socket(&relay.ws_url(), ORIGIN).await.is_ok() {
            reopened = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(reopened);
}

#[tokio::test]
async fn a_visitors_sockets_share_one_allowance() {
    let sandbox = Sandbox::start().await;
    let relay = RelayProcess::start(
        &sandbox.url,
        RelayOptions {
            frames_per_minute: 30,
            ..RelayOptions::default()
        },
    );
    let mut first = Panel::connect(&relay, anonymous()).await;
    let mut second = Panel::connect(
        &relay,
        ClientFrame::Hello {
            visitor: Some(first.visitor.clone()),
            identity: None,
            conversation: None,
            after: 0,
            locale: None,
        },
    )
    .await;
    // A burst of 6 in all: 4 from one socket, then 4 from the other, of which 2 pass.
    let mut outcomes = vec![];
    for panel in [&mut first, &mut second] {
        for _ in 0..4 {
            panel.send(&ClientFrame::Ping).await;
        }
        for _ in 0..4 {
            let frame = panel
                .until(|frame| !matches!(frame, ServerFrame::Entry { .. }))
                .await;
            outcomes.push(frame == ServerFrame::Pong);
        }
    }
    assert_eq!(
        outcomes,
        [true, true, true, true, true, true, false, false],
        "{outcomes:?}"
    );
}

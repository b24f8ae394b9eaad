//! The HTML pages, through `tower::ServiceExt::oneshot` (axum `examples/testing`).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn check(uri: &str, status: StatusCode, expected: &[&str]) {
    let app = flare_sandbox::app(flare_sandbox::AppState::new("http://sandbox.test"));
    let response = app
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), status, "{uri}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/html"),
        "{uri}: {content_type}"
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let html = String::from_utf8(body.to_vec()).unwrap();
    for needle in expected {
        assert!(html.contains(needle), "{uri} lacks {needle}:\n{html}");
    }
}

#[tokio::test]
async fn home_page() {
    check(
        "/",
        StatusCode::OK,
        &["<title>Flare sandbox</title>", "http://sandbox.test"],
    )
    .await;
}

#[tokio::test]
async fn incident_page() {
    check(
        "/incident.do?sys_id=1c741bd70b2322007518478d83673af3",
        StatusCode::OK,
        &[
            "INC0000001",
            "Unable to connect to office wifi",
            "<dd>New</dd>",
            "<dd>Abel Tuter</dd>",
        ],
    )
    .await;
    check(
        "/incident.do?sys_id=nope",
        StatusCode::NOT_FOUND,
        &["Record not found"],
    )
    .await;
}

//! Faults on the ServiceNow instance, switched on through its admin API (`/sandbox/faults`): the
//! queue and the way a fault is applied are shared (`crate::common::faults`); the answers are the
//! instance's. A status fault answers in the instance's envelope, an injected 429 as its rate
//! limit does, and `hibernate` with the "Instance Hibernating page" (recorded README).

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::common::faults::FaultAnswers;
use crate::servicenow::error::AppError;

/// How the instance answers faults.
pub(crate) const ANSWERS: FaultAnswers = FaultAnswers {
    status: status_response,
    hibernate: Some(hibernating_page),
};

fn status_response(status: u16, request: &Request) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match status {
        StatusCode::UNAUTHORIZED => AppError::Unauthenticated.into_response(),
        StatusCode::NOT_FOUND => AppError::NoRecord.into_response(),
        // An injected 429 names the REST API the request went to, as a real rate limit's does.
        StatusCode::TOO_MANY_REQUESTS => {
            let api = crate::servicenow::rate_limit::rest_api_name(request.uri().path());
            let mut response = AppError::RateLimited { limit: 0, api }.into_response();
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static("60"));
            response
        }
        _ => AppError::Injected(status).into_response(),
    }
}

fn hibernating_page() -> Response {
    let html = "<!DOCTYPE html>\n<html><head><title>Instance Hibernating page</title></head>\n\
                <body><h1>Your instance is hibernating</h1>\
                <p>Sign in to the developer portal to wake it up.</p></body></html>\n";
    let mut response = (StatusCode::OK, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=UTF-8"),
    );
    response
}

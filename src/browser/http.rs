//! `fetch`, without cookies, so an instance's session cookie never stands in for the credentials.

use flare_core::http::{HttpRequest, HttpResponse};
use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

use crate::browser::extension::describe;
use crate::browser::global;
use crate::browser::BrowserError;

pub(crate) async fn send(request: HttpRequest) -> Result<HttpResponse, BrowserError> {
    let to_error = |error: JsValue| BrowserError::Api(describe(&error));
    let headers = Headers::new().map_err(to_error)?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(to_error)?;
    }
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_headers(&headers);
    init.set_credentials(RequestCredentials::Omit);
    if let Some(body) = &request.body {
        init.set_body(&js_sys::Uint8Array::from(body.as_slice()));
    }
    let fetch_request = Request::new_with_str_and_init(&request.url, &init).map_err(to_error)?;
    let response: Response = JsFuture::from(global::scope().fetch_with_request(&fetch_request))
        .await
        .map_err(|error| BrowserError::Network(describe(&error)))?
        .unchecked_into();
    let mut header_pairs = Vec::new();
    let entries = js_sys::try_iter(&response.headers())
        .map_err(to_error)?
        .into_iter()
        .flatten();
    for entry in entries {
        let pair = Array::from(&entry.map_err(to_error)?);
        header_pairs.push((
            pair.get(0).as_string().unwrap_or_default(),
            pair.get(1).as_string().unwrap_or_default(),
        ));
    }
    let buffer: Promise = response.array_buffer().map_err(to_error)?;
    let body = JsFuture::from(buffer)
        .await
        .map_err(|error| BrowserError::Network(describe(&error)))?;
    Ok(HttpResponse::new(
        response.status(),
        header_pairs,
        js_sys::Uint8Array::new(&body).to_vec(),
    ))
}

//! A signed-in client of the accounts API mounted beside a real hub (tests/socket.rs,
//! tests/history.rs): calls with the session cookie and CSRF token, sign-in, sync tokens.
#![allow(dead_code)]

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const PW: &str = "socket test password";

pub struct Api {
    pub router: Router,
}

pub struct Who {
    pub cookie: String,
    pub csrf: String,
}

impl Api {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        who: Option<&Who>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(w) = who {
            req = req
                .header(header::COOKIE, format!("narada_session={}", w.cookie))
                .header("x-csrf-token", w.csrf.clone());
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let mut req = req.body(body).expect("request");
        req.extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 1))));
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let cookies: Vec<String> = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        let mut v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if let Some(c) = cookies
            .iter()
            .find_map(|c| c.strip_prefix("narada_session="))
        {
            v["__cookie"] = Value::String(c.split(';').next().unwrap_or_default().to_owned());
        }
        (status, v)
    }

    pub async fn login(&self, email: &str) -> Who {
        let (s, v) = self
            .call(
                Method::POST,
                "/api/auth/login",
                None,
                Some(json!({ "email": email, "password": PW })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        Who {
            cookie: v["__cookie"].as_str().expect("cookie").to_owned(),
            csrf: v["csrf_token"].as_str().expect("csrf").to_owned(),
        }
    }

    pub async fn token(&self, who: &Who, doc: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            &format!("/api/docs/{doc}/token"),
            Some(who),
            None,
        )
        .await
    }
}

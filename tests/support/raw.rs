//! A WebSocket client that reads only when told to: a peer that stopped reading (a frozen tab,
//! a phone that lost its radio) as the server sees it. It never answers pings on its own, and
//! its socket's receive buffer is made small so the server's writes back up quickly.

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpSocket;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

pub struct RawClient {
    ws: WebSocketStream<tokio::net::TcpStream>,
}

/// What a drained socket delivered before it ended.
#[derive(Debug)]
pub struct Drained {
    pub binary_frames: usize,
    /// The close code, when a close frame arrived (a dropped connection has none).
    pub close_code: Option<u16>,
}

impl RawClient {
    /// Upgrades `url` (`ws://127.0.0.1:PORT/…`) over a socket with a small receive buffer.
    pub async fn connect(url: &str) -> RawClient {
        let host = url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .expect("ws://host:port/… url");
        let addr: std::net::SocketAddr = host.parse().expect("numeric address");
        let socket = TcpSocket::new_v4().expect("socket");
        // A small window: the server's frames pile up in its own queue, not in our kernel.
        socket.set_recv_buffer_size(4096).expect("SO_RCVBUF");
        let stream = socket.connect(addr).await.expect("tcp connect");
        let (ws, _) = tokio_tungstenite::client_async(url, stream)
            .await
            .expect("upgrade");
        RawClient { ws }
    }

    pub async fn send(&mut self, frame: Vec<u8>) {
        self.ws
            .send(Message::Binary(frame.into()))
            .await
            .expect("send");
    }

    /// Reads until the next binary frame (e.g. the server's first sync message, which proves the
    /// connection has joined its document).
    pub async fn next_binary(&mut self) -> Vec<u8> {
        loop {
            match self.ws.next().await {
                Some(Ok(Message::Binary(b))) => return b.to_vec(),
                Some(Ok(_)) => continue,
                other => panic!("connection ended before a binary frame: {other:?}"),
            }
        }
    }

    /// Sends a close frame and reads until the server has ended the connection.
    pub async fn close(mut self) -> Drained {
        let _ = self.ws.send(Message::Close(None)).await;
        self.drain().await
    }

    /// Reads everything until the connection ends.
    pub async fn drain(mut self) -> Drained {
        let mut out = Drained {
            binary_frames: 0,
            close_code: None,
        };
        while let Some(msg) = self.ws.next().await {
            match msg {
                Ok(Message::Binary(_)) => out.binary_frames += 1,
                Ok(Message::Close(cf)) => {
                    out.close_code = cf.map(|c| u16::from(c.code));
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        out
    }
}

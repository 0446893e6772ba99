// The Beast/Asio transport (see transport.h). The only translation unit that includes Beast and Asio.
#include "transport.h"

#include <openssl/ssl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "../http_errors.h"

namespace riskradar::server::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// Mozilla's intermediate profile for TLS 1.2, ECDHE only: AES-GCM and ChaCha20-Poly1305, no CBC, no RSA key
// exchange. TLS 1.3 suites are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

constexpr size_t kReadChunk = 16 * 1024;
// After an error answer the connection closes; the few bytes the client already sent are read and dropped
// first (bounded), so that its kernel does not reset the connection before it has read the answer.
constexpr size_t kLingerBytes = 256 * 1024;
constexpr std::chrono::milliseconds kLingerTime{1000};

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
  }
}

bool HasCrLf(const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; }

// A fixed pool of handler threads with a bounded queue of complete requests.
class WorkerPool {
 public:
  void Start(int n, size_t max_queue) {
    max_queue_ = max_queue;
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Loop(); });
  }
  bool Submit(std::function<void()> job) {
    std::lock_guard lock(mu_);
    if (stop_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(job));
    cv_.notify_one();
    return true;
  }
  // Lets running jobs finish, drops queued ones, joins.
  void Shutdown() {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      dropped.swap(queue_);
    }
    cv_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

 private:
  void Loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::vector<std::thread> threads_;
  size_t max_queue_ = 0;
  bool stop_ = false;
};

struct Counters {
  std::atomic<int64_t> accepted{0}, refused_over_cap{0}, deadline_closed{0}, requests_dispatched{0}, bytes_read{0};
  std::atomic<int64_t> r413{0}, r414{0}, r431{0}, r400{0}, r503{0};
};

}  // namespace

struct Transport::Impl {
  TransportOptions o;
  Handler handler;
  Decorator decorate;
  Counters counters;
  // Open connections, in total and per client address (guarded by conn_mu).
  std::mutex conn_mu;
  int open = 0;
  std::map<std::string, int> per_address;
  std::atomic<bool> stopping{false};
  // The I/O side; declared after the counters so that connections destroyed with it can still count.
  net::io_context ioc;
  // The TLS context new connections take (null without TLS). ReloadTls swaps it; each connection holds the one
  // it started with, so a context lives until its last connection closes.
  std::shared_ptr<ssl::context> tls;
  mutable std::mutex tls_mu;
  std::shared_ptr<ssl::context> CurrentTls() const {
    std::lock_guard lock(tls_mu);
    return tls;
  }
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_backoff{ioc};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> guard;
  WorkerPool pool;
  std::vector<std::thread> io_threads;
  std::mutex run_mu;

  Impl(TransportOptions options, Handler h, Decorator d)
      : o(std::move(options)), handler(std::move(h)), decorate(std::move(d)), ioc(std::max(1, o.io_threads)) {}

  // A slot in the connection caps, given back when the connection goes.
  struct Slot {
    Impl* impl;
    std::string address;
    ~Slot() {
      std::lock_guard lock(impl->conn_mu);
      --impl->open;
      if (--impl->per_address[address] <= 0) impl->per_address.erase(address);
    }
  };
  std::unique_ptr<Slot> TakeSlot(const std::string& address) {
    std::lock_guard lock(conn_mu);
    if (open >= o.max_connections) return nullptr;
    auto it = per_address.find(address);
    if (it != per_address.end() && it->second >= o.max_connections_per_address) return nullptr;
    ++open;
    ++per_address[address];
    return std::unique_ptr<Slot>(new Slot{this, address});
  }

  std::string ErrorResponse(int status) {
    httplib::Response res;
    res.status = status;
    res.set_content(ErrorBodyForHttpStatus(status).dump(), "application/json");
    if (decorate) decorate(res);
    return SerialiseResponse(res, false, false);
  }

  void Accept();
  void OnAccept(boost::system::error_code ec, tcp::socket socket);
};

namespace {

using Impl = Transport::Impl;

// One client connection over a plain or TLS stream. It lives in the handlers queued on its strand (and in a
// worker's job while its request is handled); the last owner closes the socket.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  template <class... Args>
  Connection(Impl& impl, std::shared_ptr<ssl::context> tls, std::unique_ptr<Impl::Slot> slot, std::string address,
             int port, Args&&... args)
      : impl_(impl),
        tls_(std::move(tls)),
        slot_(std::move(slot)),
        address_(std::move(address)),
        port_(port),
        stream_(std::forward<Args>(args)...),
        buffer_(impl.o.max_target_bytes + impl.o.max_header_bytes + 2 * kReadChunk + 256) {}

  void Start() {
    Lowest().expires_after(impl_.o.header_deadline);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](boost::system::error_code ec) {
                                if (ec) return self->Timeout(ec), self->Close();
                                self->NewRequest(false);
                              });
    } else {
      NewRequest(false);
    }
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  enum class Phase { kIdle, kHeaders, kBody, kHandling, kWriting, kClosing };

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Timeout(const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) ++impl_.counters.deadline_closed;
  }

  // Waits for the next request: a fresh connection is already under the header deadline; a kept-alive one
  // waits up to the idle timeout for the first byte, then the header deadline starts.
  void NewRequest(bool kept_alive) {
    parser_.emplace();
    header_seen_ = 0;
    start_line_seen_ = false;
    parser_->header_limit(static_cast<std::uint32_t>(HeaderLimit()));
    parser_->body_limit(impl_.o.max_body_bytes);
    if (!kept_alive) {
      phase_ = Phase::kHeaders;
    } else if (buffer_.size() > 0) {  // pipelined bytes already here
      phase_ = Phase::kHeaders;
      Lowest().expires_after(impl_.o.header_deadline);
    } else {
      phase_ = Phase::kIdle;
      Lowest().expires_after(impl_.o.idle_timeout);
    }
    if (buffer_.size() > 0) return Parse();
    ReadMore();
  }

  void ReadMore() {
    auto space = buffer_.prepare(std::min(kReadChunk, buffer_.max_size() - buffer_.size()));
    stream_.async_read_some(
        space, [self = this->shared_from_this()](boost::system::error_code ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(boost::system::error_code ec, size_t n) {
    impl_.counters.bytes_read += static_cast<int64_t>(n);
    if (ec) {
      Timeout(ec);
      return Close();
    }
    buffer_.commit(n);
    if (phase_ == Phase::kIdle && n > 0) {
      phase_ = Phase::kHeaders;
      Lowest().expires_after(impl_.o.header_deadline);
    }
    Parse();
  }

  size_t HeaderLimit() const { return impl_.o.max_target_bytes + impl_.o.max_header_bytes + 64; }

  void Parse() {
    while (buffer_.size() > 0 && !parser_->is_done()) {
      boost::system::error_code ec;
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (phase_ != Phase::kBody) {
        // Beast consumes the request line whole, then header fields one by one, and its header limit only
        // bounds what one call sees: the whole header is counted here.
        header_seen_ += used;
        if (used > 0) start_line_seen_ = true;
      }
      if (ec == bhttp::error::need_more) break;
      if (ec) return Refuse(StatusForParseError(ec));
      if (phase_ != Phase::kBody && parser_->is_header_done()) {
        if (const int status = CheckHeader(); status != 0) return Refuse(status);
        phase_ = Phase::kBody;
        Lowest().expires_after(impl_.o.body_deadline);
      }
      if (used == 0) break;
    }
    if (parser_->is_done()) return Dispatch();
    if (phase_ != Phase::kBody && header_seen_ + buffer_.size() > HeaderLimit()) return Refuse(HeaderTooLarge());
    if (buffer_.size() >= buffer_.max_size()) return Refuse(400);  // e.g. an endless chunk-size line
    ReadMore();
  }

  // The request line past the target limit: 414; otherwise the header fields: 431.
  int HeaderTooLarge() {
    if (start_line_seen_) return parser_->get().target().size() > impl_.o.max_target_bytes ? 414 : 431;
    const auto data = buffer_.data();
    const std::string_view seen(static_cast<const char*>(data.data()), data.size());
    const size_t eol = seen.find("\r\n");
    const size_t line = eol == std::string_view::npos ? seen.size() : eol;
    return line > impl_.o.max_target_bytes + 32 ? 414 : 431;
  }

  int StatusForParseError(const boost::system::error_code& ec) {
    if (ec == bhttp::error::body_limit) return 413;
    if (ec == bhttp::error::header_limit) return HeaderTooLarge();
    return 400;
  }

  // Checks that Beast's parser leaves to us; 0 when the header is acceptable.
  int CheckHeader() {
    const auto& msg = parser_->get();
    if (msg.target().size() > impl_.o.max_target_bytes) return 414;
    if (msg.version() != 10 && msg.version() != 11) return 400;
    size_t header_bytes = 0;
    int content_lengths = 0, transfer_encodings = 0;
    for (const auto& f : msg) {
      header_bytes += f.name_string().size() + f.value().size() + 4;
      if (f.name() == bhttp::field::content_length) {
        ++content_lengths;
        const auto v = f.value();
        if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != beast::string_view::npos) return 400;
      } else if (f.name() == bhttp::field::transfer_encoding) {
        ++transfer_encodings;
        if (!beast::iequals(f.value(), "chunked")) return 400;  // gzip, deflate, lists: not accepted
      }
    }
    if (header_bytes > impl_.o.max_header_bytes) return 431;
    if (content_lengths > 1 || transfer_encodings > 1) return 400;
    if (content_lengths && transfer_encodings) return 400;
    if (transfer_encodings && msg.version() == 10) return 400;
    return 0;
  }

  void Dispatch() {
    phase_ = Phase::kHandling;
    Lowest().expires_never();
    auto msg = parser_->release();
    const bool head = msg.method() == bhttp::verb::head;
    const bool keep_alive = msg.keep_alive() && ++served_ < impl_.o.keep_alive_max_requests && !impl_.stopping.load();
    auto req = std::make_shared<httplib::Request>();
    req->method = std::string(msg.method_string());
    req->target = std::string(msg.target());
    req->version = msg.version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
    const size_t q = req->target.find('?');
    req->path = httplib::detail::decode_url(req->target.substr(0, q), false);
    if (q != std::string::npos) ParseQueryString(req->target.substr(q + 1), req->params);
    for (const auto& f : msg) req->headers.emplace(std::string(f.name_string()), std::string(f.value()));
    req->body = std::move(msg.body());
    req->remote_addr = address_;
    req->remote_port = port_;
    ++impl_.counters.requests_dispatched;
    auto self = this->shared_from_this();
    const bool queued = impl_.pool.Submit([self, req, head, keep_alive] {
      httplib::Response res;
      try {
        self->impl_.handler(*req, res);
        if (res.status == -1) res.status = 200;  // as httplib: a handler that set no status answered 200
      } catch (...) {
        res = httplib::Response();
        res.status = 500;
        res.set_content(ErrorBodyForHttpStatus(500).dump(), "application/json");  // no exception text
      }
      if (self->impl_.decorate) self->impl_.decorate(res);
      auto out = std::make_shared<std::string>(SerialiseResponse(res, head, keep_alive));
      // Back to the connection's strand: the worker is free before a byte is written.
      net::post(self->stream_.get_executor(), [self, out, keep_alive] { self->Write(out, keep_alive); });
    });
    if (!queued) {
      ++impl_.counters.r503;
      Write(std::make_shared<std::string>(impl_.ErrorResponse(503)), false);
    }
  }

  void Refuse(int status) {
    switch (status) {
      case 413:
        ++impl_.counters.r413;
        break;
      case 414:
        ++impl_.counters.r414;
        break;
      case 431:
        ++impl_.counters.r431;
        break;
      default:
        ++impl_.counters.r400;
        break;
    }
    Write(std::make_shared<std::string>(impl_.ErrorResponse(status)), false);
  }

  void Write(std::shared_ptr<std::string> out, bool keep_alive) {
    phase_ = Phase::kWriting;
    Lowest().expires_after(impl_.o.write_deadline);
    net::async_write(stream_, net::buffer(*out),
                     [self = this->shared_from_this(), out, keep_alive](boost::system::error_code ec, size_t) {
                       if (ec) {
                         self->Timeout(ec);
                         return self->Close();
                       }
                       if (keep_alive) return self->NewRequest(true);
                       self->Linger();
                     });
  }

  // Sends FIN, then reads and drops what the client still sends (bounded in bytes and time), then closes.
  void Linger() {
    phase_ = Phase::kClosing;
    boost::system::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().expires_after(kLingerTime);
    DrainSome();
  }
  void DrainSome() {
    if (drained_ >= kLingerBytes) return Close();
    Lowest().async_read_some(net::buffer(drain_),
                             [self = this->shared_from_this()](boost::system::error_code ec, size_t n) {
                               self->impl_.counters.bytes_read += static_cast<int64_t>(n);
                               self->drained_ += n;
                               if (ec) return self->Close();
                               self->DrainSome();
                             });
  }

  void Close() {
    boost::system::error_code ignored;
    Lowest().socket().close(ignored);
  }

  Impl& impl_;
  std::shared_ptr<ssl::context> tls_;  // the context stream_ uses (null without TLS): destroyed after it
  std::unique_ptr<Impl::Slot> slot_;
  std::string address_;
  int port_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Phase phase_ = Phase::kHeaders;
  int served_ = 0;
  size_t header_seen_ = 0;  // header bytes the parser has consumed for the current request
  bool start_line_seen_ = false;
  size_t drained_ = 0;
  std::array<char, 8192> drain_{};
};

}  // namespace

void Transport::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [this](boost::system::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void Transport::Impl::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (stopping.load() || !acceptor.is_open() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors or the like: try again shortly rather than spin.
    accept_backoff.expires_after(std::chrono::milliseconds(50));
    accept_backoff.async_wait([this](boost::system::error_code) {
      if (!stopping.load()) Accept();
    });
    return;
  }
  {
    boost::system::error_code e2;
    const auto remote = socket.remote_endpoint(e2);
    if (!e2) {
      const std::string address = remote.address().to_string();
      auto slot = TakeSlot(address);
      if (!slot) {
        ++counters.refused_over_cap;
        socket.set_option(net::socket_base::linger(true, 0), e2);  // reset: no TIME_WAIT kept for it
        socket.close(e2);
      } else {
        ++counters.accepted;
        socket.set_option(tcp::no_delay(true), e2);
        if (auto context = CurrentTls()) {
          ssl::context& c = *context;
          std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
              *this, std::move(context), std::move(slot), address, remote.port(), std::move(socket), c)
              ->Start();
        } else {
          std::make_shared<Connection<beast::tcp_stream>>(*this, nullptr, std::move(slot), address, remote.port(),
                                                          std::move(socket))
              ->Start();
        }
      }
    }
  }
  Accept();
}

namespace {

// A server context with the project's TLS policy and the certificate chain and key read from their files now.
Result<std::shared_ptr<ssl::context>> MakeTlsContext(const std::string& cert_file, const std::string& key_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  ssl::context& ctx = *context;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                  ssl::context::no_compression);
  SSL_CTX* c = ctx.native_handle();
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 || SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1 ||
      SSL_CTX_set_ciphersuites(c, kTls13Suites) != 1) {
    return Status::Internal("cannot configure TLS versions and cipher suites");
  }
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(cert_file, ec);
  if (ec) return Status::InvalidArgument("cannot load the TLS certificate chain " + cert_file);
  ctx.use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(c) != 1)
    return Status::InvalidArgument("cannot load the TLS private key " + key_file +
                                   " (or it does not match the certificate)");
  return context;
}

}  // namespace

Result<std::unique_ptr<Transport>> Transport::Create(TransportOptions options, Handler handler, Decorator decorate) {
  if (!handler) return Status::InvalidArgument("the transport needs a handler");
  if (options.workers < 1 || options.io_threads < 1 || options.max_connections < 1 ||
      options.max_connections_per_address < 1 || options.max_target_bytes < 16 || options.max_header_bytes < 256) {
    return Status::InvalidArgument(
        "transport options: workers, I/O threads and connection caps must be at least 1, the target limit at "
        "least 16 bytes and the header limit at least 256");
  }
  const bool want_tls = !options.cert_file.empty() || !options.key_file.empty();
  if (want_tls && (options.cert_file.empty() || options.key_file.empty()))
    return Status::InvalidArgument("TLS needs both a certificate and a key");
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), std::move(decorate));
  if (want_tls) {
    RR_ASSIGN_OR_RETURN(impl->tls, MakeTlsContext(impl->o.cert_file, impl->o.key_file));
  }
  return std::unique_ptr<Transport>(new Transport(std::move(impl)));
}

Transport::Transport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Transport::~Transport() {
  Stop();
  std::lock_guard lock(impl_->run_mu);  // Run() has returned
  impl_->pool.Shutdown();
}

Result<int> Transport::Bind() {
  Impl& i = *impl_;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(i.o.host == "localhost" ? "127.0.0.1" : i.o.host, ec);
  if (ec) return Status::InvalidArgument("cannot listen on '" + i.o.host + "': not an IP address");
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(i.o.port));
  i.acceptor.open(endpoint.protocol(), ec);
  if (!ec) i.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(endpoint, ec);
  if (!ec) i.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on " + i.o.host + ":" + std::to_string(i.o.port) + " (" + ec.message() + ")");
  }
  return static_cast<int>(i.acceptor.local_endpoint().port());
}

Status Transport::Run() {
  Impl& i = *impl_;
  std::lock_guard lock(i.run_mu);
  if (!i.acceptor.is_open()) return Status::FailedPrecondition("Run() before Bind()");
  if (i.stopping.load()) return Status::Ok();
  i.pool.Start(i.o.workers, i.o.max_queued_requests);
  i.guard.emplace(i.ioc.get_executor());
  i.Accept();
  for (int t = 1; t < i.o.io_threads; ++t) i.io_threads.emplace_back([&i] { i.ioc.run(); });
  i.ioc.run();
  for (auto& t : i.io_threads) t.join();
  i.io_threads.clear();
  return Status::Ok();
}

void Transport::Stop() {
  Impl& i = *impl_;
  if (i.stopping.exchange(true)) return;
  net::post(i.ioc, [&i] {
    boost::system::error_code ignored;
    i.acceptor.close(ignored);
  });
  i.ioc.stop();
}

bool Transport::tls() const { return impl_->CurrentTls() != nullptr; }

Status Transport::ReloadTls() {
  Impl& i = *impl_;
  if (!i.CurrentTls()) return Status::FailedPrecondition("not serving TLS: nothing to reload");
  RR_ASSIGN_OR_RETURN(auto context, MakeTlsContext(i.o.cert_file, i.o.key_file));
  std::lock_guard lock(i.tls_mu);
  i.tls = std::move(context);
  return Status::Ok();
}

TransportStats Transport::stats() const {
  const Impl& i = *impl_;
  TransportStats s;
  {
    std::lock_guard lock(const_cast<Impl&>(i).conn_mu);
    s.open_connections = i.open;
  }
  s.accepted = i.counters.accepted;
  s.refused_over_cap = i.counters.refused_over_cap;
  s.deadline_closed = i.counters.deadline_closed;
  s.requests_dispatched = i.counters.requests_dispatched;
  s.bytes_read = i.counters.bytes_read;
  s.rejected_413 = i.counters.r413;
  s.rejected_414 = i.counters.r414;
  s.rejected_431 = i.counters.r431;
  s.rejected_400 = i.counters.r400;
  s.rejected_503 = i.counters.r503;
  return s;
}

void ParseQueryString(const std::string& query, httplib::Params& params) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    if (end > pos) {
      const std::string part = query.substr(pos, end - pos);
      const size_t eq = part.find('=');
      const std::string key = part.substr(0, eq);
      const std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
      params.emplace(httplib::detail::decode_url(key, true), httplib::detail::decode_url(value, true));
    }
    pos = end + 1;
  }
}

std::string SerialiseResponse(const httplib::Response& res, bool head, bool keep_alive) {
  const int status = res.status < 100 || res.status > 599 ? 500 : res.status;
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) + "\r\n";
  for (const auto& [name, value] : res.headers) {
    // The transport owns framing; nothing is ever compressed (BREACH); no header splitting.
    if (beast::iequals(name, "Content-Length") || beast::iequals(name, "Transfer-Encoding") ||
        beast::iequals(name, "Connection") || beast::iequals(name, "Keep-Alive") ||
        beast::iequals(name, "Content-Encoding") || HasCrLf(name) || HasCrLf(value)) {
      continue;
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  const bool no_body = status == 204 || status == 304 || status < 200;
  if (!no_body) out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
  out += keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  if (!head && !no_body) out += res.body;
  return out;
}

}  // namespace riskradar::server::http

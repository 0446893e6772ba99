// GET /healthz and GET /readyz (issue 18 item 5): public, no session, no data. /healthz answers while the
// process serves requests; /readyz also checks that the store answers and that the keys it depends on load
// (Store::CheckReady), so a load balancer sends no traffic to a server that would answer every sign-in 500.
#include "api.h"
#include "riskradar/store/operations.h"

namespace riskradar::server {

void Server::Impl::Healthz(RouteContext& ctx) { SendJson(ctx.res, 200, {{"status", "ok"}}); }

void Server::Impl::Readyz(RouteContext& ctx) {
  auto lease = pool.Acquire();
  const Status ready = lease.ok() ? store::CheckStoreReady(**lease) : lease.status();
  if (!ready.ok()) {
    // What is missing goes to the operator's log only; an anonymous caller learns "not ready".
    if (RequestTrace* trace = CurrentTrace()) trace->cause = "not ready: " + ready.ToString().substr(0, 300);
    return SendHttpError(ctx.res, 503, "the server is not ready (the reason is in its log)");
  }
  SendJson(ctx.res, 200, {{"status", "ready"}});
}

}  // namespace riskradar::server

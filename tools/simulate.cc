// holdfast_simulate: plays a few weeks of three journeys with KNOWN true
// effects through the real RPCs of a running holdfastd (BatchAssign records
// the entries; RecordSends/RecordOutcomes/RecordFixedCosts the rest), and
// writes the true values the report should recover to a JSON file.
//
//   holdfast_simulate --server 127.0.0.1:50051 --truth truth.json
//
// The model (docs/demo.md): every customer has a latent propensity w in
// {0.5, 1, 2} (probabilities .4/.4/.2, mean 1). An entry converts with
// probability p0 * w * (1 + lift[arm]) (lift 0 for holdouts); a conversion is
// one order of lognormal value V, placed in the first half of the
// attribution window; 5 % of orders are refunded in full within a day, so
// inside the window. Margin is 30 % of revenue. Customers also ordered before
// entering (Poisson(0.3 w) orders in the 28 days before), which is what CUPED
// uses. Treated entries receive sends (with per-channel cost); the discount
// arm also grants a coupon of 10 % of the basket, recorded as the order's
// incentive_cost (a refund does not give it back). A few held-out winback units
// are messaged by mistake, so the report must flag contamination.
//
// True values per entry (exact, from the model):
//   p_C = p0 E[w],  p_T = p0 E[w] (1 + lift),  E[y] = p E[V] (1 - 0.05)
//   D = (p_T - p_C) E[V] 0.95,  iROAS = D / (E[c_T] + F / n_T),
//   incentive I_T = coupon p_T E[V] (I_C = 0),
//   iROAS with incentives = D / (E[c_T] + I_T + F / n_T)
// with n_T the realized number of treated entries outside the washout (the
// ones the report analyses; F is the journey's fixed cost over the range).
//
// --messy adds the shapes of real CRM data (MessModel): 8 % of orders are
// refunded 1-45 days later (often after the window; they count until
// t0 + window + refund_horizon), 10 % of pre-period orders are refunded
// inside the entry's window (they count for no entry), 10 % of units come
// back half to one window later (a new entry when in a later rotation period,
// cutting the first window, which holds none of its orders), and the report's
// as_of is 10 days after the range, so the last entries of long-window
// journeys are immature. The truth then follows DESIGN.md's accounting rules:
//   D = (p_T - p_C) E[V] (1 - 0.05 - 0.08 P(late refund counted)),
// n_T counts mature treated entries and F is pro-rated over
// [from, min(to, as_of - window)). --order_sigma makes the tails heavier.
//
// Bounded: sends a fixed number of records to a loopback server and stops.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "client/holdfast_client.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "Server (loopback only).");
ABSL_FLAG(std::string, truth, "truth.json", "Where to write the true effects.");
ABSL_FLAG(std::string, start, "2026-10-05", "First simulated day (UTC date).");
ABSL_FLAG(int, weeks, 4, "Simulated weeks.");
ABSL_FLAG(double, scale, 1.0, "Multiplies every journey's entry count.");
ABSL_FLAG(uint64_t, seed, 20261123, "Random seed (fixed: the demo is reproducible).");
ABSL_FLAG(bool, messy, false,
          "Add the shapes of real CRM data (see MessModel): refunds days after the order and "
          "after the window, refunds of pre-entry orders, re-entries with overlapping windows, "
          "immature entries at the end of the range. Truths follow DESIGN.md's accounting rules.");
ABSL_FLAG(double, order_sigma, 0.8, "Sigma of the log order value (heavier tails above 0.8).");
ABSL_FLAG(double, refund_horizon_days, 30.0,
          "--messy: the journeys' refund_horizon in the config (refunds count until "
          "t0 + window + horizon).");
ABSL_FLAG(int, roster_customers, 0,
          "Also record a customer roster (RecordCustomers): every simulated journey customer "
          "plus this many customers who never trigger a journey (organic orders only), all "
          "first seen 60 days before --start, so the program report's population is the whole "
          "customer base. 0: no roster.");

namespace {

using holdfast::client::HoldfastClient;
constexpr int64_t kSecond = 1000000;
constexpr int64_t kHour = 3600 * kSecond;
constexpr int64_t kDay = 24 * kHour;

struct ArmModel {
  std::string name;
  double lift;            // relative lift of the conversion probability
  double coupon_share;    // coupon (the order's incentive_cost) as a share of the basket
};

struct ChannelPlan {
  std::string channel;
  double cost;
  double probability;     // chance a treated entry gets this send
  int64_t delay;          // after entry
  // Only entries of this arm get it ("" = every arm): arms that differ by
  // channel, as the config's Arm.channels declare (docs/report.md, "Channels").
  std::string arm = "";
};

struct JourneyModel {
  std::string id;
  int entries;
  double p0;              // baseline conversion probability at w = 1
  int64_t window;         // attribution window (as configured)
  std::vector<ArmModel> arms;  // by name; must match the config's arms
  std::vector<ChannelPlan> sends;
  double fixed_cost_per_week;
  double contamination_rate;   // share of held-out entries messaged by mistake
  // Chance an entry unsubscribes within its window, held out / treated (the
  // guardrail the report checks; docs/report.md, "Guardrails").
  double unsubscribe_holdout = 0.0;
  double unsubscribe_treatment = 0.0;
  // Long run (docs/report.md, "Horizons"; not with --messy): `later_orders`
  // candidate orders per entry, each placed with probability later_holdout *
  // w (held out) or later_treatment * w (treated) at a uniform time in
  // [window, later_end) — a lasting effect on retention.
  int later_orders = 0;
  double later_holdout = 0.0, later_treatment = 0.0;
  int64_t later_end = 0;
  // Pull-forward: a held-out entry that did not convert in its window still
  // orders with probability (catch_up * p0 w) / (1 - p0 w) at a uniform time
  // in [window, later_end): with catch_up = the treatment's lift, every
  // treated window order beyond the holdout's only came forward, so the
  // cumulative lift returns to 0 by later_end.
  double catch_up = 0.0;
  // Horizons declared in the config (days), for the truth.
  std::vector<int> horizon_days;
};

// Matches examples/holdfast.textproto.
std::vector<JourneyModel> Models(double scale) {
  return {
      {"cart_abandon", static_cast<int>(40000 * scale), 0.08, 3 * kDay,
       {{"discount", 0.25, 0.10}, {"no_discount", 0.15, 0.0}},
       // The discount code goes out by SMS: the discount arm gets email + sms,
       // no_discount email only (the arms differ by channel; the pooled send
       // cost per entry is the former 50 % sms mix).
       {{"email", 0.0008, 1.0, kHour}, {"sms", 0.0075, 1.0, kDay, "discount"}},
       300.0, 0.0, 0.001, 0.0012},
      {"winback", static_cast<int>(20000 * scale), 0.03, 14 * kDay,
       {{"treatment", 0.30, 0.0}},
       {{"email", 0.0008, 1.0, kHour}, {"email", 0.0008, 1.0, 3 * kDay}, {"email", 0.0008, 1.0, 7 * kDay}},
       // Three emails to lapsed customers: unsubscribes rise by 1 point, well
       // beyond the 0.2-point default guardrail (the report says CRITICAL).
       // The lasting effect: two later orders per entry at 5 % (held out) vs
       // 9 % (treated) x w each within 90 days — a small window lift, a real
       // 90-day retention lift.
       150.0, 0.004, 0.002, 0.012, 2, 0.05, 0.09, 90 * kDay, 0.0, {30, 60, 90}},
      // Renewal reminders only bring the renewal forward: +20 % in the window,
      // the held-out customers renew later (by day 60) all the same.
      {"renewal", static_cast<int>(15000 * scale), 0.25, 30 * kDay,
       {{"treatment", 0.20, 0.0}},
       {{"email", 0.0008, 1.0, kHour}, {"push", 0.0001, 1.0, 2 * kDay}},
       50.0, 0.0, 0.001, 0.001, 0, 0.0, 0.0, 60 * kDay, 0.20, {60, 90}},
  };
}

constexpr double kOrderMu = 4.0, kRefundRate = 0.05, kMarginShare = 0.3;

// --messy: what real CRM data adds (docs/statistics.md, "Messy data"). All
// rates are per order / entry; delays are uniform in [min, max).
struct MessModel {
  bool on = false;
  // Orders refunded late: at order + U(1, 45) days, often after the window;
  // counted when before t0 + window + refund_horizon.
  double late_refund_rate = 0.08;
  int64_t late_refund_min = kDay, late_refund_max = 45 * kDay;
  // Pre-period orders refunded inside the entry's window: never counted.
  double pre_entry_refund_rate = 0.10;
  // Units that come back: a second BatchAssign at t0 + U(window / 2, window).
  // When that falls in a later rotation period it is a new entry whose window
  // overlaps the first one's (which it cuts); the first entry's orders all
  // lie before t0 + window / 2, so the cut removes none of them.
  double reentry_rate = 0.10;
  int64_t refund_horizon = 30 * kDay;
  // Entries with t0 + window > as_of are immature (excluded by the report).
  int64_t as_of = 0;
};

// P(u + d < window + horizon) for u ~ U(0, window / 2) (order offset) and
// d ~ U(min, max) (refund delay): the share of late refunds that count.
// Midpoint quadrature of the exact conditional probability (piecewise
// linear in u): error < 1e-9.
double CountedLateRefundShare(int64_t window, const MessModel& mess) {
  const double a = window / 2.0, lo = mess.late_refund_min, hi = mess.late_refund_max;
  const double limit = static_cast<double>(window + mess.refund_horizon);
  constexpr int kSteps = 200000;
  double sum = 0.0;
  for (int i = 0; i < kSteps; ++i) {
    const double u = a * (i + 0.5) / kSteps;
    sum += std::clamp((limit - u - lo) / (hi - lo), 0.0, 1.0);
  }
  return sum / kSteps;
}

void SetTime(int64_t t, google::protobuf::Timestamp* ts) {
  ts->set_seconds(t / kSecond);
  ts->set_nanos(static_cast<int32_t>(t % kSecond) * 1000);
}

// Buffers records and flushes them in batches through unary calls.
class Writer {
 public:
  explicit Writer(HoldfastClient* client) : client_(client) {}
  void Send(holdfast::v1::SendRecord r) {
    *sends_.add_sends() = std::move(r);
    if (sends_.sends_size() == 5000) FlushSends();
  }
  void Outcome(holdfast::v1::OutcomeRecord r) {
    *outcomes_.add_outcomes() = std::move(r);
    if (outcomes_.outcomes_size() == 5000) FlushOutcomes();
  }
  void Cost(holdfast::v1::FixedCostRecord r) { *costs_.add_costs() = std::move(r); }
  void Flush() {
    FlushSends();
    FlushOutcomes();
    if (costs_.costs_size() > 0) {
      holdfast::v1::WriteSummary summary;
      Check(client_->events()->RecordFixedCosts(client_->NewContext().get(), costs_, &summary), "costs");
      costs_.Clear();
    }
  }
  int64_t written() const { return written_; }

 private:
  void FlushSends() {
    if (sends_.sends_size() == 0) return;
    holdfast::v1::WriteSummary summary;
    Check(client_->events()->RecordSends(client_->NewContext().get(), sends_, &summary), "sends");
    written_ += sends_.sends_size();
    sends_.Clear();
  }
  void FlushOutcomes() {
    if (outcomes_.outcomes_size() == 0) return;
    holdfast::v1::WriteSummary summary;
    Check(client_->events()->RecordOutcomes(client_->NewContext().get(), outcomes_, &summary), "outcomes");
    written_ += outcomes_.outcomes_size();
    outcomes_.Clear();
  }
  static void Check(const grpc::Status& s, const char* what) {
    if (!s.ok()) {
      std::cerr << "holdfast_simulate: writing " << what << ": " << s.error_message() << "\n";
      std::exit(1);
    }
  }
  HoldfastClient* client_;
  holdfast::v1::RecordSendsRequest sends_;
  holdfast::v1::RecordOutcomesRequest outcomes_;
  holdfast::v1::RecordFixedCostsRequest costs_;
  int64_t written_ = 0;
};

// The customer roster of the program report (docs/report.md, "Program
// report"): the journey customers (their ids are "<journey>-cust-<i>") and
// `extra` customers who never trigger anything, all known 60 days before
// `start`; the extra customers place Poisson(0.1 * weeks / 4) organic orders
// over the simulated span. Uses its own random stream so the journey
// simulation (and its truth) is the same with or without a roster.
void RecordRoster(HoldfastClient* client, Writer& writer, const std::vector<JourneyModel>& models, int extra,
                  int64_t start, int64_t span, uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::lognormal_distribution<double> order_value(kOrderMu, absl::GetFlag(FLAGS_order_sigma));
  std::poisson_distribution<int> organic(0.1 * span / (28.0 * kDay));
  holdfast::v1::RecordCustomersRequest req;
  int64_t recorded = 0;
  auto add = [&](const std::string& unit) {
    holdfast::v1::CustomerRecord* c = req.add_customers();
    c->set_unit(unit);
    SetTime(start - 60 * kDay, c->mutable_first_seen());
    if (req.customers_size() < 5000) return;
    holdfast::v1::WriteSummary summary;
    const grpc::Status s = client->events()->RecordCustomers(client->NewContext().get(), req, &summary);
    if (!s.ok()) {
      std::cerr << "holdfast_simulate: writing customers: " << s.error_message() << "\n";
      std::exit(1);
    }
    recorded += req.customers_size();
    req.Clear();
  };
  for (const JourneyModel& m : models) {
    for (int i = 0; i < m.entries; ++i) add(absl::StrCat(m.id, "-cust-", i));
  }
  for (int i = 0; i < extra; ++i) {
    const std::string unit = absl::StrCat("roster-cust-", i);
    add(unit);
    for (int k = organic(rng); k > 0; --k) {
      holdfast::v1::OutcomeRecord o;
      o.set_outcome_id(absl::StrCat(unit, "/organic/", k));
      o.set_unit(unit);
      SetTime(start + static_cast<int64_t>(unif(rng) * span), o.mutable_at());
      o.set_type(holdfast::v1::ORDER);
      const double v = order_value(rng);
      o.set_revenue(v);
      o.set_margin(v * kMarginShare);
      writer.Outcome(o);
    }
  }
  if (req.customers_size() > 0) {
    holdfast::v1::WriteSummary summary;
    const grpc::Status s = client->events()->RecordCustomers(client->NewContext().get(), req, &summary);
    if (!s.ok()) {
      std::cerr << "holdfast_simulate: writing customers: " << s.error_message() << "\n";
      std::exit(1);
    }
    recorded += req.customers_size();
  }
  writer.Flush();
  std::cerr << "recorded a roster of " << recorded << " customers (" << extra
            << " never trigger a journey)\n";
}

struct Pending {
  std::string unit;
  int64_t t0;
};

// --messy: the report's as_of is this long after the simulated range ends,
// so entries of the last days of journeys with long windows are immature.
constexpr int64_t kMessAsOfAfterEnd = 10 * kDay;

// --messy: the unit comes back at t0 + U(window / 2, window) (before the
// simulated range ends). The server makes it a new entry only when that is
// in a later rotation period; otherwise BatchAssign says new_entry = false.
void AddReentry(const JourneyModel& m, const MessModel& mess, int64_t end,
                std::vector<Pending>& pending, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  if (unif(rng) >= mess.reentry_rate) return;
  const Pending first = pending.back();
  const int64_t t1 = first.t0 + m.window / 2 + static_cast<int64_t>(unif(rng) * (m.window / 2));
  if (t1 < end) pending.push_back({first.unit, t1});
}

holdfast::v1::OutcomeRecord RefundOf(const holdfast::v1::OutcomeRecord& order, const std::string& id,
                                     int64_t at) {
  holdfast::v1::OutcomeRecord r;
  r.set_outcome_id(id);
  r.set_unit(order.unit());
  SetTime(at, r.mutable_at());
  r.set_type(holdfast::v1::REFUND);
  r.set_revenue(order.revenue());
  r.set_margin(order.margin());
  r.set_order_id(order.outcome_id());
  return r;
}

// --messy: a pre-period order refunded inside the entry's window. Under the
// order-linked rule it changes no entry (its order is in no window).
void MaybeRefundPreEntryOrder(const holdfast::v1::OutcomeRecord& order, int64_t t0, int64_t window,
                              const MessModel& mess, Writer& writer, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  if (unif(rng) >= mess.pre_entry_refund_rate) return;
  const int64_t at = t0 + static_cast<int64_t>(unif(rng) * (window / 2));
  writer.Outcome(RefundOf(order, order.outcome_id() + "/refund", at));
}

// --messy: a refund U(1, 45) days after the order, often after the window.
void LateRefund(const holdfast::v1::OutcomeRecord& order, int64_t order_at, const MessModel& mess,
                Writer& writer, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  const int64_t delay = mess.late_refund_min +
                        static_cast<int64_t>(unif(rng) * (mess.late_refund_max - mess.late_refund_min));
  writer.Outcome(RefundOf(order, order.outcome_id() + "/late-refund", order_at + delay));
}

struct Tally {
  int64_t treated = 0;  // new treated entries per arm
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string server = absl::GetFlag(FLAGS_server);
  if (!absl::StartsWith(server, "127.") && !absl::StartsWith(server, "localhost:")) {
    std::cerr << "holdfast_simulate: only loopback servers\n";
    return 2;
  }
  auto client = HoldfastClient::Connect(server);
  std::tm tm{};
  if (strptime(absl::GetFlag(FLAGS_start).c_str(), "%Y-%m-%d", &tm) == nullptr) {
    std::cerr << "holdfast_simulate: --start must be YYYY-MM-DD\n";
    return 2;
  }
  const int64_t start = static_cast<int64_t>(timegm(&tm)) * kSecond;
  const int64_t span = absl::GetFlag(FLAGS_weeks) * 7 * kDay;
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  // Unsubscribes draw from their own stream, so adding them changed no other
  // draw of a given seed.
  std::mt19937_64 unsubscribe_rng(absl::GetFlag(FLAGS_seed) ^ 0x756e737562ULL);
  // Long-run orders (after the window) too: the window draws stay as they were.
  std::mt19937_64 later_rng(absl::GetFlag(FLAGS_seed) ^ 0x6c61746572ULL);
  const double order_sigma = absl::GetFlag(FLAGS_order_sigma);
  std::lognormal_distribution<double> order_value(kOrderMu, order_sigma);
  const double mean_order = std::exp(kOrderMu + order_sigma * order_sigma / 2);
  Writer writer(client.get());
  MessModel mess;
  mess.on = absl::GetFlag(FLAGS_messy);
  mess.refund_horizon = static_cast<int64_t>(absl::GetFlag(FLAGS_refund_horizon_days) * kDay);
  mess.as_of = start + span + kMessAsOfAfterEnd;

  std::string truth = "{\n  \"journeys\": [\n";
  const std::vector<JourneyModel> models = Models(absl::GetFlag(FLAGS_scale));
  if (absl::GetFlag(FLAGS_roster_customers) > 0) {
    RecordRoster(client.get(), writer, models, absl::GetFlag(FLAGS_roster_customers), start, span,
                 absl::GetFlag(FLAGS_seed));
  }
  int64_t total_entries = 0;
  for (size_t ji = 0; ji < models.size(); ++ji) {
    const JourneyModel& m = models[ji];
    // The side streams restart per journey, so one journey's config (its
    // rotation, its groups) does not move another journey's unsubscribes
    // or later orders; journey 0 keeps the streams it always had.
    unsubscribe_rng.seed(absl::GetFlag(FLAGS_seed) ^ 0x756e737562ULL ^ (ji * 0x9e3779b97f4a7c15ULL));
    later_rng.seed(absl::GetFlag(FLAGS_seed) ^ 0x6c61746572ULL ^ (ji * 0x9e3779b97f4a7c15ULL));
    // Entry times, sorted, bucketed by hour into BatchAssign calls.
    std::vector<Pending> pending;
    for (int i = 0; i < m.entries; ++i) {
      pending.push_back({absl::StrCat(m.id, "-cust-", i), start + static_cast<int64_t>(unif(rng) * span)});
      if (mess.on) AddReentry(m, mess, start + span, pending, rng);
    }
    std::sort(pending.begin(), pending.end(), [](const Pending& a, const Pending& b) { return a.t0 < b.t0; });
    std::map<std::string, Tally> tally;
    for (size_t b = 0; b < pending.size();) {
      const int64_t hour = pending[b].t0 / kHour * kHour;
      holdfast::v1::BatchAssignRequest req;
      req.set_journey(m.id);
      SetTime(hour, req.mutable_at());
      (*req.mutable_attributes())["source"] = "simulation";
      size_t e = b;
      while (e < pending.size() && pending[e].t0 / kHour * kHour == hour && e - b < 10000) {
        req.add_units(pending[e].unit);
        ++e;
      }
      absl::StatusOr<holdfast::v1::BatchAssignResponse> resp = client->BatchAssign(req);
      if (!resp.ok()) {
        std::cerr << "holdfast_simulate: BatchAssign: " << resp.status() << "\n";
        return 1;
      }
      for (const auto& a : resp->assignments()) {
        if (!a.new_entry()) continue;
        ++total_entries;
        const int64_t t0 = hour;
        const double w_draw = unif(rng);
        const double w = w_draw < 0.4 ? 0.5 : (w_draw < 0.8 ? 1.0 : 2.0);
        // Pre-period orders (the CUPED covariate): Poisson(0.3 w) in [t0 - 28d, t0).
        std::poisson_distribution<int> history(0.3 * w);
        for (int h = history(rng), k = 0; k < h; ++k) {
          holdfast::v1::OutcomeRecord o;
          o.set_outcome_id(mess.on ? absl::StrCat(a.unit(), "-pre-", a.period(), "-", k)
                                   : absl::StrCat(a.unit(), "-pre-", k));
          o.set_unit(a.unit());
          SetTime(t0 - 1 - static_cast<int64_t>(unif(rng) * 27 * kDay), o.mutable_at());
          o.set_type(holdfast::v1::ORDER);
          const double v = order_value(rng);
          o.set_revenue(v);
          o.set_margin(v * kMarginShare);
          writer.Outcome(o);
          if (mess.on) MaybeRefundPreEntryOrder(o, t0, m.window, mess, writer, rng);
        }
        const bool treated = a.group() == holdfast::v1::TREATMENT;
        const ArmModel* arm = nullptr;
        if (treated) {
          for (const auto& am : m.arms) {
            if (am.name == a.arm()) arm = &am;
          }
          if (arm == nullptr) {
            std::cerr << "holdfast_simulate: config arm '" << a.arm() << "' not in the model\n";
            return 1;
          }
          // The report analyses only entries outside the washout, so the
          // true F / n_T is taken over those.
          // --messy: only mature entries are analysed.
          if (!a.in_washout() && (!mess.on || t0 + m.window <= mess.as_of)) {
            ++tally[arm->name].treated;
          }
          int s = 0;
          for (const ChannelPlan& plan : m.sends) {
            if (!plan.arm.empty() && plan.arm != arm->name) continue;
            if (unif(rng) >= plan.probability) continue;
            holdfast::v1::SendRecord send;
            send.set_send_id(absl::StrCat(m.id, "/", a.unit(), "/", a.period(), "/", s++));
            send.set_unit(a.unit());
            send.set_journey(m.id);
            send.set_channel(plan.channel);
            SetTime(t0 + plan.delay, send.mutable_at());
            send.set_cost(plan.cost);
            writer.Send(send);
          }
        } else if (a.group() == holdfast::v1::HOLDOUT && unif(rng) < m.contamination_rate) {
          holdfast::v1::SendRecord send;  // a mistaken send to a held-out unit
          send.set_send_id(absl::StrCat(m.id, "/", a.unit(), "/", a.period(), "/leak"));
          send.set_unit(a.unit());
          send.set_journey(m.id);
          send.set_channel("email");
          SetTime(t0 + kHour, send.mutable_at());
          send.set_cost(0.0008);
          writer.Send(send);
        }
        if (unif(unsubscribe_rng) < (treated ? m.unsubscribe_treatment : m.unsubscribe_holdout)) {
          holdfast::v1::OutcomeRecord u;
          u.set_outcome_id(absl::StrCat(m.id, "/", a.unit(), "/", a.period(), "/unsubscribe"));
          u.set_unit(a.unit());
          SetTime(t0 + static_cast<int64_t>(unif(unsubscribe_rng) * (m.window / 2)), u.mutable_at());
          u.set_type(holdfast::v1::UNSUBSCRIBE);
          writer.Outcome(u);
        }
        const double p = m.p0 * w * (1.0 + (arm != nullptr ? arm->lift : 0.0));
        const bool converted = unif(rng) < p;
        if (!mess.on) {
          // After the window: the lasting orders and the held-out catch-up
          // (JourneyModel), each refunded like a window order (5 % within a day).
          auto later_order = [&](const std::string& name) {
            const int64_t at = t0 + m.window +
                               static_cast<int64_t>(unif(later_rng) * (m.later_end - m.window));
            const double v = order_value(later_rng);
            holdfast::v1::OutcomeRecord o;
            o.set_outcome_id(absl::StrCat(m.id, "/", a.unit(), "/", a.period(), "/", name));
            o.set_unit(a.unit());
            SetTime(at, o.mutable_at());
            o.set_type(holdfast::v1::ORDER);
            o.set_revenue(v);
            o.set_margin(v * kMarginShare);
            writer.Outcome(o);
            if (unif(later_rng) < kRefundRate) {
              writer.Outcome(RefundOf(o, o.outcome_id() + "/refund",
                                      at + kHour + static_cast<int64_t>(unif(later_rng) * 23 * kHour)));
            }
          };
          const double q = (treated ? m.later_treatment : m.later_holdout) * w;
          for (int k = 0; k < m.later_orders; ++k) {
            if (unif(later_rng) < q) later_order(absl::StrCat("later-", k));
          }
          const double pw = m.p0 * w;
          if (!treated && !converted && m.catch_up > 0 &&
              unif(later_rng) < m.catch_up * pw / (1.0 - pw)) {
            later_order("catch-up");
          }
        }
        if (converted) {
          const int64_t at = t0 + static_cast<int64_t>(unif(rng) * (m.window / 2));
          const double v = order_value(rng);
          holdfast::v1::OutcomeRecord o;
          o.set_outcome_id(absl::StrCat(m.id, "/", a.unit(), "/", a.period(), "/order"));
          o.set_unit(a.unit());
          SetTime(at, o.mutable_at());
          o.set_type(holdfast::v1::ORDER);
          o.set_revenue(v);
          o.set_margin(v * kMarginShare);
          if (arm != nullptr && arm->coupon_share > 0) o.set_incentive_cost(arm->coupon_share * v);
          writer.Outcome(o);
          const double refund_draw = unif(rng);
          if (mess.on && refund_draw >= kRefundRate &&
              refund_draw < kRefundRate + mess.late_refund_rate) {
            LateRefund(o, at, mess, writer, rng);
          }
          if (refund_draw < kRefundRate) {
            holdfast::v1::OutcomeRecord r;
            r.set_outcome_id(o.outcome_id() + "/refund");
            r.set_unit(a.unit());
            SetTime(at + kHour + static_cast<int64_t>(unif(rng) * 23 * kHour), r.mutable_at());
            r.set_type(holdfast::v1::REFUND);
            r.set_revenue(v);
            r.set_margin(v * kMarginShare);
            r.set_order_id(o.outcome_id());
            writer.Outcome(r);
          }
        }
      }
      b = e;
    }
    // Weekly fixed costs.
    for (int wk = 0; wk < absl::GetFlag(FLAGS_weeks); ++wk) {
      holdfast::v1::FixedCostRecord c;
      c.set_cost_id(absl::StrCat(m.id, "/platform/week-", wk));
      c.set_journey(m.id);
      SetTime(start + wk * 7 * kDay, c.mutable_start());
      SetTime(start + (wk + 1) * 7 * kDay, c.mutable_end());
      c.set_amount(m.fixed_cost_per_week);
      c.set_category("platform");
      writer.Cost(c);
    }
    writer.Flush();

    // Truth. E[w] = 1; every tidy refund falls inside the window. --messy:
    // late refunds count with probability CountedLateRefundShare, pre-entry
    // refunds never, re-entries cut no order of the entry they follow, and F
    // is pro-rated over the mature part of the range [from, min(to, as_of - window)).
    const double refunded =
        kRefundRate + (mess.on ? mess.late_refund_rate * CountedLateRefundShare(m.window, mess) : 0.0);
    const double weeks = absl::GetFlag(FLAGS_weeks);
    const double mature_days =
        mess.on ? std::clamp(static_cast<double>(std::min(start + span, mess.as_of - m.window) - start) / kDay,
                             0.0, 7.0 * weeks)
                : 7.0 * weeks;
    const double fixed = m.fixed_cost_per_week * mature_days / 7.0;
    const double p_c = m.p0;
    // Expected send cost per entry of an arm (plans for every arm or for it).
    auto arm_send_cost = [&m](const std::string& arm) {
      double cost = 0;
      for (const ChannelPlan& plan : m.sends) {
        if (plan.arm.empty() || plan.arm == arm) cost += plan.cost * plan.probability;
      }
      return cost;
    };
    int64_t n_t = 0;
    double pooled_d = 0, pooled_incentive = 0, pooled_conv = 0, pooled_send_cost = 0;
    truth += absl::StrFormat("    {\"journey\": \"%s\", \"arms\": [\n", m.id);
    for (size_t ai = 0; ai < m.arms.size(); ++ai) {
      const ArmModel& am = m.arms[ai];
      const int64_t n = tally[am.name].treated;
      const double p_t = m.p0 * (1 + am.lift);
      const double d = (p_t - p_c) * mean_order * (1 - refunded);
      // Every order's coupon, refunded or not: refunds do not give it back.
      const double incentive = am.coupon_share * mean_order * p_t;
      n_t += n;
      pooled_d += n * d;
      pooled_incentive += n * incentive;
      pooled_conv += n * (p_t - p_c);
      pooled_send_cost += n * arm_send_cost(am.name);
      truth += absl::StrFormat(
          "      {\"arm\": \"%s\", \"treated_entries\": %d, \"conversion_lift\": %.10g, "
          "\"revenue_lift\": %.10g, \"cost_per_entry\": %.10g, \"incentive_per_entry\": %.10g}%s\n",
          am.name, n, p_t - p_c, d, arm_send_cost(am.name), incentive, ai + 1 < m.arms.size() ? "," : "");
    }
    // Pooled over arms: the arms' mixture as realized; F spread over all treated.
    const double d_pooled = n_t > 0 ? pooled_d / n_t : 0;
    const double c_pooled = n_t > 0 ? pooled_send_cost / n_t : arm_send_cost("");
    const double i_pooled = n_t > 0 ? pooled_incentive / n_t : 0;
    const double f_per_entry = fixed / std::max<int64_t>(1, n_t);
    const double iroas = d_pooled / (c_pooled + f_per_entry);
    // The holdout gets no coupon: the incremental incentive is the treatment's.
    const double iroas_with_incentives = d_pooled / (c_pooled + i_pooled + f_per_entry);
    // Arm vs arm (docs/report.md): b = the costlier arm (sends + incentives
    // per entry); the return of the change is Δrevenue / Δcost and Δmargin /
    // Δcost.
    std::string pairs;
    for (size_t i = 0; i < m.arms.size(); ++i) {
      for (size_t k = i + 1; k < m.arms.size(); ++k) {
        const ArmModel* a = &m.arms[i];
        const ArmModel* b = &m.arms[k];
        const double p_a = m.p0 * (1 + a->lift), p_b = m.p0 * (1 + b->lift);
        double cost_a = a->coupon_share * mean_order * p_a + arm_send_cost(a->name);
        double cost_b = b->coupon_share * mean_order * p_b + arm_send_cost(b->name);
        double delta_p = p_b - p_a;
        if (cost_a > cost_b) {
          std::swap(a, b);
          std::swap(cost_a, cost_b);
          delta_p = -delta_p;
        }
        if (!(cost_b > cost_a)) continue;  // equal costs: the return is undefined
        const double delta_revenue = delta_p * mean_order * (1 - refunded);
        absl::StrAppend(&pairs, pairs.empty() ? "" : ", ",
                        absl::StrFormat("{\"arm_b\": \"%s\", \"arm_a\": \"%s\", "
                                        "\"incremental_revenue_return\": %.10g, "
                                        "\"incremental_margin_return\": %.10g}",
                                        b->name, a->name, delta_revenue / (cost_b - cost_a),
                                        delta_revenue * kMarginShare / (cost_b - cost_a)));
      }
    }
    truth += absl::StrFormat(
        "    ], \"pooled\": {\"treated_entries\": %d, \"conversion_lift\": %.10g, \"revenue_lift\": %.10g, "
        "\"margin_lift\": %.10g, \"cost_per_entry\": %.10g, \"fixed_cost\": %.10g, \"iroas\": %.10g, "
        "\"margin_iroas\": %.10g, \"incentive_per_entry\": %.10g, \"iroas_with_incentives\": %.10g, "
        "\"margin_iroas_with_incentives\": %.10g, \"unsubscribe_rate\": %.10g}, \"arm_pairs\": [%s]}%s\n",
        n_t, n_t > 0 ? pooled_conv / n_t : 0, d_pooled, d_pooled * kMarginShare, c_pooled, fixed, iroas,
        iroas * kMarginShare, i_pooled, iroas_with_incentives, iroas_with_incentives * kMarginShare,
        m.unsubscribe_treatment - m.unsubscribe_holdout, pairs,
        ji + 1 < models.size() ? "," : "");
    // Horizons and the cumulative curve (not with --messy). Per entry with
    // propensity w: A = the window order (treated: p0 w (1 + lift); held
    // out: p0 w, or the catch-up after it, p0 w + catch_up p0 w f) and K
    // later orders of chance q w f each, f(d) = clamp((d - W) / (end - W), 0,
    // 1) the share of [W, end) before day d. Orders are refunded 5 % (the
    // refund counts where its order does), so revenue = 0.95 E[V] orders.
    if (!mess.on && !m.horizon_days.empty() && m.arms.size() == 1) {
      const double lift = m.arms[0].lift;
      const double W = static_cast<double>(m.window) / kDay;
      const double end = static_cast<double>(m.later_end) / kDay;
      const double value = mean_order * (1 - kRefundRate);
      const std::vector<std::pair<double, double>> ws = {{0.5, 0.4}, {1.0, 0.4}, {2.0, 0.2}};
      auto later_share = [&](double d) { return std::clamp((d - W) / (end - W), 0.0, 1.0); };
      // Expected orders by day d in a group; with `window_share` the window
      // order's share placed before d (U(0, W/2) offsets).
      auto orders_by = [&](bool t, double d) {
        const double f = later_share(d), win = std::min(1.0, d / (W / 2));
        double o = 0;
        for (const auto& [w, pr] : ws) {
          const double a = t ? m.p0 * w * (1 + lift) * win : m.p0 * w * win + m.catch_up * m.p0 * w * f;
          o += pr * (a + m.later_orders * (t ? m.later_treatment : m.later_holdout) * w * f);
        }
        return o;
      };
      auto shares = [&](bool t, double d, double* retained, double* repeat) {
        const double f = later_share(d);
        *retained = *repeat = 0;
        for (const auto& [w, pr] : ws) {
          const double a = t ? m.p0 * w * (1 + lift) : m.p0 * w + m.catch_up * m.p0 * w * f;
          const double q = (t ? m.later_treatment : m.later_holdout) * w * f;
          const int k = m.later_orders;
          const double none = (1 - a) * std::pow(1 - q, k);
          const double one = a * std::pow(1 - q, k) + (k > 0 ? (1 - a) * k * q * std::pow(1 - q, k - 1) : 0.0);
          *retained += pr * (1 - none);
          *repeat += pr * (1 - none - one);
        }
      };
      const double cost = c_pooled + f_per_entry;
      std::string hz;
      for (int h : m.horizon_days) {
        const double dorders = orders_by(true, h) - orders_by(false, h);
        double rt, pt, rc, pc;
        shares(true, h, &rt, &pt);
        shares(false, h, &rc, &pc);
        absl::StrAppend(&hz, hz.empty() ? "" : ", ",
                        absl::StrFormat("{\"days\": %d, \"revenue_per_entry\": %.10g, "
                                        "\"margin_per_entry\": %.10g, \"orders_per_entry\": %.10g, "
                                        "\"retention_rate\": %.10g, %s"
                                        "\"iroas\": %.10g, \"margin_iroas\": %.10g}",
                                        h, value * dorders, value * kMarginShare * dorders, dorders,
                                        rt - rc,
                                        // No second order is possible (renewal): the
                                        // rate is 0 in both groups and has no interval.
                                        pt > 1e-12 ? absl::StrFormat("\"repeat_purchase_rate\": %.10g, ", pt - pc)
                                               : std::string(),
                                        value * dorders / cost, value * kMarginShare * dorders / cost));
      }
      std::string cv;
      for (int d : {7, 14, 30, 45, 60, 90}) {
        if (d > m.horizon_days.back()) continue;
        const double dorders = orders_by(true, d) - orders_by(false, d);
        absl::StrAppend(&cv, cv.empty() ? "" : ", ",
                        absl::StrFormat("{\"days\": %d, \"revenue\": %.10g, \"margin\": %.10g}", d,
                                        value * dorders, value * kMarginShare * dorders));
      }
      // Spliced into the journey's object (before its closing brace).
      truth.insert(truth.rfind('}'), absl::StrFormat(", \"horizons\": [%s], \"cumulative\": [%s]", hz, cv));
    }
    std::cerr << absl::StrFormat("simulated %-13s %6d entries, true revenue lift/entry %.3f, true iROAS %.2f\n",
                                 m.id, m.entries, d_pooled, iroas);
  }
  truth += "  ]";
  if (mess.on) {
    truth += absl::StrFormat(",\n  \"messy\": true, \"as_of_seconds\": %d, \"refund_horizon_seconds\": %d",
                             mess.as_of / kSecond, mess.refund_horizon / kSecond);
  }
  truth += "\n}\n";
  std::ofstream(absl::GetFlag(FLAGS_truth)) << truth;
  std::cerr << "simulated " << total_entries << " entries and " << writer.written()
            << " sends/outcomes; truth in " << absl::GetFlag(FLAGS_truth) << "\n";
  return 0;
}

// mlp_training: a small neural network trained on two interleaved spirals, measured with
// carbontracker's C++ API. It is documentation: the training is plain C++ with no library,
// and every carbontracker call is in main() and print_results().
//
//   mlp_training                                     # 5 epochs, measured in-process
//   mlp_training --max-energy-kwh 0.00001 --budget-action stop   # a budget ends the training
//   carbontracker run --epochs 5 --epoch-pattern 'Epoch \d+/\d+' -- mlp_training --no-tracker
//
// Output: one flushed line per epoch ("Epoch 3/5: loss 0.4123, accuracy 91.2 %") with the
// tracker's own report interleaved, then a few numbers read back from tracker.snapshot().
// Exit code 0, also when a budget stops the training; CLI11's non-zero codes for bad flags.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numbers>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "carbontracker/tracker.hpp"
#include "core/units.hpp"

namespace ct = carbontracker;

namespace {

// ---------------------------------------------------------------------------------------------
// The model: nothing here knows about carbontracker.

// Deterministic on every platform: std::*_distribution may differ between standard libraries.
double uniform(std::mt19937& rng, double lo, double hi) {
  return lo + (hi - lo) * (static_cast<double>(rng()) / 4294967296.0);
}

struct Dataset {
  std::vector<double> x;   // two coordinates per point
  std::vector<int> label;  // 0 or 1: which spiral arm
};

// Two spiral arms, one turned half a circle from the other, with a little noise: not linearly
// separable, so the hidden layers have real work to do.
Dataset make_spirals(int samples, std::uint32_t seed) {
  std::mt19937 rng(seed);
  Dataset d;
  for (int i = 0; i < samples; ++i) {
    const int arm = i % 2;
    const double t = uniform(rng, 0.1, 1.0);  // position along the arm, also the radius
    const double angle = 3.0 * std::numbers::pi * t + arm * std::numbers::pi;
    d.x.push_back(t * std::cos(angle) + uniform(rng, -0.08, 0.08));
    d.x.push_back(t * std::sin(angle) + uniform(rng, -0.08, 0.08));
    d.label.push_back(arm);
  }
  return d;
}

struct Layer {
  Layer(int n_in, int n_out, std::mt19937& rng) : in(n_in), out(n_out), b(n_out), grad_b(n_out), vel_b(n_out) {
    const double scale = std::sqrt(3.0 / in);  // weight variance 1/in: tanh starts unsaturated
    for (int i = 0; i < in * out; ++i) w.push_back(uniform(rng, -scale, scale));
    grad_w.resize(w.size());
    vel_w.resize(w.size());
  }
  int in, out;
  std::vector<double> w, b, grad_w, grad_b, vel_w, vel_b;  // w is out x in, row-major
};

struct EpochStats { double loss = 0, accuracy = 0; };  // means over an epoch; accuracy 0..1

// 2 -> hidden -> hidden -> 2, tanh, softmax with cross-entropy, mini-batch SGD with momentum.
class Mlp {
 public:
  Mlp(int hidden, std::uint32_t seed) : rng_(seed + 1) {
    const int sizes[] = {2, hidden, hidden, 2};
    for (int l = 0; l < 3; ++l) {
      layers_.emplace_back(sizes[l], sizes[l + 1], rng_);
      act_.emplace_back(sizes[l]);
      delta_.emplace_back(sizes[l + 1]);
    }
    act_.emplace_back(2);
  }

  // One pass over the data in a fresh random order. Returns the mean loss and accuracy seen
  // during the pass (no separate evaluation, to keep the example short).
  EpochStats train_epoch(const Dataset& d, int batch = 32, double lr = 0.01, double momentum = 0.9) {
    const int n = static_cast<int>(d.label.size());
    std::vector<int> order(n);
    for (int i = 0; i < n; ++i) order[i] = i;
    for (int i = n - 1; i > 0; --i) std::swap(order[i], order[rng_() % (i + 1)]);
    EpochStats s;
    for (int start = 0; start < n; start += batch) {
      const int end = std::min(n, start + batch);
      for (int i = start; i < end; ++i) {
        const double p = forward(&d.x[2 * order[i]], d.label[order[i]]);
        s.loss -= std::log(std::max(p, 1e-12));
        s.accuracy += p > 0.5 ? 1 : 0;
        backward(d.label[order[i]]);
      }
      step(lr / (end - start), momentum);
    }
    return {s.loss / n, s.accuracy / n};
  }

 private:
  // Returns the probability given to the true class.
  double forward(const double* x, int label) {
    act_[0].assign(x, x + 2);
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const Layer& L = layers_[l];
      for (int o = 0; o < L.out; ++o) {
        double z = L.b[o];
        for (int i = 0; i < L.in; ++i) z += L.w[o * L.in + i] * act_[l][i];
        act_[l + 1][o] = l + 1 < layers_.size() ? std::tanh(z) : z;
      }
    }
    auto& out = act_.back();  // softmax over the two logits, shifted for stability
    const double m = std::max(out[0], out[1]);
    const double e0 = std::exp(out[0] - m), e1 = std::exp(out[1] - m);
    out = {e0 / (e0 + e1), e1 / (e0 + e1)};
    return out[label];
  }

  // Accumulates the gradients of this sample's cross-entropy loss.
  void backward(int label) {
    for (int o = 0; o < 2; ++o) delta_.back()[o] = act_.back()[o] - (o == label ? 1.0 : 0.0);
    for (std::size_t l = layers_.size(); l-- > 0;) {
      Layer& L = layers_[l];
      for (int o = 0; o < L.out; ++o) {
        L.grad_b[o] += delta_[l][o];
        for (int i = 0; i < L.in; ++i) L.grad_w[o * L.in + i] += delta_[l][o] * act_[l][i];
      }
      if (l == 0) break;
      for (int i = 0; i < L.in; ++i) {
        double back = 0;
        for (int o = 0; o < L.out; ++o) back += L.w[o * L.in + i] * delta_[l][o];
        delta_[l - 1][i] = back * (1 - act_[l][i] * act_[l][i]);  // tanh' = 1 - tanh^2
      }
    }
  }

  void step(double lr, double momentum) {
    auto update = [&](std::vector<double>& param, std::vector<double>& grad, std::vector<double>& velocity) {
      for (std::size_t k = 0; k < param.size(); ++k) {
        velocity[k] = momentum * velocity[k] - lr * grad[k];
        param[k] += velocity[k];
        grad[k] = 0;
      }
    };
    for (auto& L : layers_) update(L.w, L.grad_w, L.vel_w), update(L.b, L.grad_b, L.vel_b);
  }

  std::mt19937 rng_;
  std::vector<Layer> layers_;
  std::vector<std::vector<double>> act_;    // activations: input, hidden 1, hidden 2, output
  std::vector<std::vector<double>> delta_;  // dLoss/dz per layer
};

// ---------------------------------------------------------------------------------------------
// The measurement: what a training program adds to use carbontracker.

struct Options {
  int epochs = 5;
  int samples = 60000;
  int hidden = 96;
  std::uint32_t seed = 42;
  std::optional<std::filesystem::path> log_dir, summary_json;
  std::optional<double> max_energy_kwh;
  std::string budget_action = "warn";
  bool no_tracker = false;
  bool quiet = false;
};

double kwh(double joules) { return ct::to_kwh(ct::Joules(joules)).value(); }

// A few numbers read back through the API (no log parsing), printed after the run.
void print_results(const ct::Snapshot& s, int epochs_planned) {
  const ct::Totals& t = s.epochs_total;
  std::printf("Results from tracker.snapshot():\n");
  std::printf("  %zu epoch(s), %.1f s: %.9f kWh, %.6f g CO2eq (%.0f g/kWh, %s)\n", s.epochs.size(), t.duration_s,
              kwh(t.facility_energy_j), t.co2eq_g, s.intensity.g_per_kwh, s.intensity.source.c_str());
  std::string how;
  for (const auto& c : s.channels) {
    how += std::string(how.empty() ? "" : ", ") + std::string(ct::to_string(c.component)) + " " +
           std::string(ct::to_string(c.method)) + " (" + c.source + ")";
  }
  std::printf("  measured %.1f J, estimated %.1f J; sources: %s\n", t.measured_j, t.estimated_j,
              how.empty() ? "none" : how.c_str());
  if (s.prediction) {
    const ct::Forecast& p = *s.prediction;
    std::printf("  predicted after epoch %d for %d epochs: %.9f kWh (%.0f %% interval %.9f to %.9f)\n",
                p.after_epochs, p.epochs, kwh(p.energy_j), p.confidence * 100, kwh(p.energy_j_low),
                kwh(p.energy_j_high));
    if (static_cast<int>(s.epochs.size()) == epochs_planned && t.facility_energy_j > 0) {
      const double error = 100 * (p.energy_j - t.facility_energy_j) / t.facility_energy_j;
      std::printf("  actual %.9f kWh: the prediction was %.1f %% too %s\n", kwh(t.facility_energy_j),
                  std::abs(error), error < 0 ? "low" : "high");
    }
  }
  if (s.stopped_by_budget) std::printf("  stopped by the budget after %zu epoch(s)\n", s.epochs.size());
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  CLI::App app{"Trains a small MLP on two spirals and measures its energy with carbontracker."};
  app.add_option("--epochs", opt.epochs, "epochs to train")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--samples", opt.samples, "training points")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--hidden", opt.hidden, "units per hidden layer")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", opt.seed, "seed for data and weights")->capture_default_str();
  app.add_option("--log-dir", opt.log_dir, "write carbontracker's log files here");
  app.add_option("--summary-json", opt.summary_json, "write the final results as one JSON object here");
  app.add_option("--max-energy-kwh", opt.max_energy_kwh, "energy budget for the whole run")->check(CLI::PositiveNumber);
  const std::map<std::string, ct::BudgetAction> actions{
      {"warn", ct::BudgetAction::warn}, {"ask", ct::BudgetAction::ask}, {"stop", ct::BudgetAction::stop}};
  app.add_option("--budget-action", opt.budget_action, "what the budget does when crossed: warn, ask or stop")
      ->capture_default_str()
      ->check(CLI::IsMember(actions));
  app.add_flag("--no-tracker", opt.no_tracker, "train without carbontracker (for `carbontracker run`)");
  app.add_flag("--quiet", opt.quiet, "no console output from the tracker (results are still printed)");
  CLI11_PARSE(app, argc, argv);

  const Dataset data = make_spirals(opt.samples, opt.seed);
  Mlp model(opt.hidden, opt.seed);

  std::optional<ct::Tracker> tracker;
  if (!opt.no_tracker) {
    ct::Config cfg;
    cfg.epochs = opt.epochs;
    cfg.log_dir = opt.log_dir;
    cfg.summary_json = opt.summary_json;
    cfg.verbose = opt.quiet ? 0 : 1;
    cfg.budget.max_energy_kwh = opt.max_energy_kwh;
    cfg.budget.action = actions.at(opt.budget_action);
    try {
      tracker.emplace(cfg);
    } catch (const ct::ConfigError& e) {  // e.g. a log_dir that cannot be written
      std::printf("carbontracker not started (%s); training without it\n", e.what());
    }
  }
  // A failure inside the tracker must not cost the user their training: report it, drop the
  // tracker (its destructor writes what it can), carry on. StopTraining passes through.
  auto guarded = [&](auto call) {
    if (!tracker) return;
    try {
      call(*tracker);
    } catch (const ct::TrackerError& e) {
      std::printf("%s; training continues without carbontracker\n", e.what());
      std::fflush(stdout);
      tracker.reset();
    }
  };

  try {
    for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
      guarded([](ct::Tracker& t) { t.epoch_start(); });
      const EpochStats s = model.train_epoch(data);
      // Flushed at once: under `carbontracker run` this line marks the end of the epoch.
      std::printf("Epoch %d/%d: loss %.4f, accuracy %.1f %%\n", epoch, opt.epochs, s.loss, 100 * s.accuracy);
      std::fflush(stdout);
      guarded([](ct::Tracker& t) { t.epoch_end(); });  // throws BudgetExceeded with action stop
    }
    guarded([](ct::Tracker& t) { t.stop(); });
  } catch (const ct::BudgetExceeded& e) {
    std::printf("Stopped by the energy budget: %s\n", e.event().message.c_str());
  } catch (const ct::StopTraining& e) {  // any other reason to stop, e.g. "n" to stop_and_confirm
    std::printf("Stopped at the user's request: %s\n", e.what());
  }
  if (tracker) print_results(tracker->snapshot(), opt.epochs);
  std::fflush(stdout);
  return 0;
}

// libtorch_training: the mlp_training example written with LibTorch, the way a LibTorch
// training loop adds carbontracker. Built only where CMake finds LibTorch (Debian:
// libtorch-dev); runs on the GPU when LibTorch has CUDA and one is visible, else on the CPU.
//
//   libtorch_training --epochs 5
//   libtorch_training --device cuda --max-energy-kwh 0.001 --budget-action stop
//   carbontracker run --epochs 5 --epoch-pattern 'Epoch \d+/\d+' -- libtorch_training --no-tracker
//
// The one thing LibTorch adds to the tracker's rules: CUDA is asynchronous. epoch_end() reads
// the energy counters the moment it is called, so it must come after the GPU has finished the
// epoch's work; here the `.item()` that fetches the epoch's loss waits for it. Without such a
// synchronisation the tail of each epoch's GPU energy is counted in the next epoch.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numbers>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include "carbontracker/tracker.hpp"
#include "core/units.hpp"

namespace ct = carbontracker;

namespace {

// Two interleaved spiral arms with a little noise (see mlp_training.cpp), on `device`.
std::pair<torch::Tensor, torch::Tensor> make_spirals(std::int64_t samples, torch::Device device) {
  const auto label = torch::arange(samples, torch::kLong).remainder(2);
  const auto t = torch::rand({samples}) * 0.9 + 0.1;
  const auto angle = t * (3.0 * std::numbers::pi) + label.to(torch::kFloat) * std::numbers::pi;
  const auto noise = (torch::rand({samples, 2}) - 0.5) * 0.16;
  const auto x = torch::stack({t * torch::cos(angle), t * torch::sin(angle)}, 1) + noise;
  return {x.to(device), label.to(device)};
}

// 2 -> hidden -> hidden -> 2, tanh; the loss applies the softmax.
struct SpiralNetImpl : torch::nn::Module {
  explicit SpiralNetImpl(std::int64_t hidden)
      : fc1(register_module("fc1", torch::nn::Linear(2, hidden))),
        fc2(register_module("fc2", torch::nn::Linear(hidden, hidden))),
        fc3(register_module("fc3", torch::nn::Linear(hidden, 2))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = torch::tanh(fc1->forward(x));
    x = torch::tanh(fc2->forward(x));
    return fc3->forward(x);
  }
  torch::nn::Linear fc1, fc2, fc3;
};
TORCH_MODULE(SpiralNet);

struct EpochStats {
  double loss = 0, accuracy = 0;  // means over the epoch; accuracy 0..1
};

EpochStats train_epoch(SpiralNet& model, torch::optim::Optimizer& optimizer, const torch::Tensor& x,
                       const torch::Tensor& y, std::int64_t batch) {
  model->train();
  const std::int64_t n = x.size(0);
  const auto order = torch::randperm(n, torch::TensorOptions().dtype(torch::kLong).device(x.device()));
  // Summed on the device: a per-batch .item() would stall the GPU after every step.
  auto loss_sum = torch::zeros({1}, x.options());
  auto correct = torch::zeros({1}, y.options());
  for (std::int64_t start = 0; start < n; start += batch) {
    const auto idx = order.slice(0, start, std::min(n, start + batch));
    const auto xb = x.index_select(0, idx), yb = y.index_select(0, idx);
    optimizer.zero_grad();
    const auto logits = model->forward(xb);
    auto loss = torch::nn::functional::cross_entropy(logits, yb);
    loss.backward();
    optimizer.step();
    loss_sum += loss.detach() * idx.size(0);
    correct += (logits.argmax(1) == yb).sum();
  }
  // .item() copies to the host, so it returns once the GPU has finished the whole epoch.
  return {loss_sum.item<double>() / static_cast<double>(n),
          static_cast<double>(correct.item<std::int64_t>()) / static_cast<double>(n)};
}

double kwh(double joules) { return ct::to_kwh(ct::Joules(joules)).value(); }

}  // namespace

int main(int argc, char** argv) {
  int epochs = 5;
  std::int64_t samples = 200000, hidden = 256, batch = 256;
  std::uint64_t seed = 42;
  std::string device_name = "auto";
  std::optional<std::filesystem::path> log_dir, summary_json;
  std::optional<double> max_energy_kwh;
  std::string budget_action = "warn";
  bool no_tracker = false;

  CLI::App app{"Trains a small MLP on two spirals with LibTorch and measures its energy with carbontracker."};
  app.add_option("--epochs", epochs, "epochs to train")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--samples", samples, "training points")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--hidden", hidden, "units per hidden layer")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--batch", batch, "mini-batch size")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "seed for data and weights")->capture_default_str();
  app.add_option("--device", device_name, "auto, cpu or cuda")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  app.add_option("--log-dir", log_dir, "write carbontracker's log files here");
  app.add_option("--summary-json", summary_json, "write the final results as one JSON object here");
  app.add_option("--max-energy-kwh", max_energy_kwh, "energy budget for the whole run")->check(CLI::PositiveNumber);
  const std::map<std::string, ct::BudgetAction> actions{
      {"warn", ct::BudgetAction::warn}, {"ask", ct::BudgetAction::ask}, {"stop", ct::BudgetAction::stop}};
  app.add_option("--budget-action", budget_action, "what the budget does when crossed: warn, ask or stop")
      ->capture_default_str()
      ->check(CLI::IsMember(actions));
  app.add_flag("--no-tracker", no_tracker, "train without carbontracker (for `carbontracker run`)");
  CLI11_PARSE(app, argc, argv);

  const bool cuda = device_name == "cuda" || (device_name == "auto" && torch::cuda::is_available());
  if (cuda && !torch::cuda::is_available()) {
    std::fprintf(stderr, "--device cuda: this LibTorch has no CUDA or no GPU is visible\n");
    return 2;
  }
  const torch::Device device(cuda ? torch::kCUDA : torch::kCPU);
  torch::manual_seed(seed);
  const auto [x, y] = make_spirals(samples, device);
  SpiralNet model(hidden);
  model->to(device);
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  std::printf("Training on %s: %lld points, hidden %lld, batch %lld\n", cuda ? "the GPU" : "the CPU",
              static_cast<long long>(samples), static_cast<long long>(hidden), static_cast<long long>(batch));

  std::optional<ct::Tracker> tracker;
  if (!no_tracker) {
    ct::Config cfg;
    cfg.epochs = epochs;
    cfg.log_dir = log_dir;
    cfg.summary_json = summary_json;
    cfg.budget.max_energy_kwh = max_energy_kwh;
    cfg.budget.action = actions.at(budget_action);
    try {
      tracker.emplace(cfg);
    } catch (const ct::ConfigError& e) {
      std::printf("carbontracker not started (%s); training without it\n", e.what());
    }
  }
  // As in mlp_training.cpp: a tracker failure is reported and the training goes on without it.
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
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      guarded([](ct::Tracker& t) { t.epoch_start(); });
      const EpochStats s = train_epoch(model, optimizer, x, y, batch);  // returns after the GPU is done
      std::printf("Epoch %d/%d: loss %.4f, accuracy %.1f %%\n", epoch, epochs, s.loss, 100 * s.accuracy);
      std::fflush(stdout);
      guarded([](ct::Tracker& t) { t.epoch_end(); });
    }
    guarded([](ct::Tracker& t) { t.stop(); });
  } catch (const ct::BudgetExceeded& e) {
    std::printf("Stopped by the energy budget: %s\n", e.event().message.c_str());
  } catch (const ct::StopTraining& e) {
    std::printf("Stopped: %s\n", e.what());
  }

  if (tracker) {
    const ct::Snapshot s = tracker->snapshot();
    const ct::EnergyByComponent& e = s.epochs_total.device_energy_j;
    std::printf("Results from tracker.snapshot(): %zu epoch(s), %.9f kWh (GPU %.1f J, CPU+DRAM %.1f J), %.6f g CO2eq\n",
                s.epochs.size(), kwh(s.epochs_total.facility_energy_j), e.gpu_j, e.cpu_j + e.dram_j + e.psys_j,
                s.epochs_total.co2eq_g);
  }
  std::fflush(stdout);
  return 0;
}

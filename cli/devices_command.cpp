#include <iostream>
#include <memory>

#include "commands.hpp"
#include "outputs/devices_report.hpp"
#include "sensors/registry.hpp"

namespace carbontracker::cli {

std::function<int()> add_devices_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("devices", "List every energy source found or refused, and why");
  add_version_flag(*cmd);
  struct Args {
    SensorFlags sensors;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  args->sensors.add_to(*cmd);
  cmd->add_flag("--json", args->json, "Print one JSON object with a `devices` array");
  return [args] {
    const auto ctx = SensorContext::from_environment(args->sensors.to_options());
    const auto inventory = sensors::probe_all(ctx);
    if (args->json) {
      std::cout << outputs::devices_json_text(inventory.reports) << "\n";
    } else {
      std::cout << outputs::render_devices_text(inventory.reports);
    }
    return 0;
  };
}

}  // namespace carbontracker::cli

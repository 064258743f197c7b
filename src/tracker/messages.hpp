// Text the tracker writes to the console and logs, beyond the Python tool's fixed formats
// (outputs/python_format.hpp): which parts are measured or estimated, where the intensity
// comes from, device vs facility energy, and the prediction interval.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "carbontracker/results.hpp"
#include "outputs/python_format.hpp"

namespace carbontracker::tracker {

std::string version_line();
// The PUE sentence of the std log: the Python tool's words and source at the default 1.58.
std::string pue_line(double pue);
// Python-style device labels per component: GPU names; cpu:N / dram:N for RAPL zones.
std::vector<outputs::ComponentDevices> python_components(const std::vector<ChannelInfo>& channels);
// "Measured: ...; estimated: ...; not measured: ..." — one sentence, every component named.
// elsewhere: in a distributed job, components another process of the job counts (who, as the
// claim says): named as such, not as "not measured".
std::string measurement_line(const std::vector<ChannelInfo>& channels, const std::set<Component>& wanted,
                             const std::map<Component, std::string>& elsewhere = {});
std::string intensity_line(const IntensityInfo& i);
// Split of a total: measured vs estimated, device vs facility energy. Empty parts omitted.
std::string energy_basis_line(const Totals& t, double pue);
// Beside a prediction (facility energy): the device energy it stands for. Empty at PUE 1.0.
std::string prediction_basis_line(const Forecast& f, double pue);
std::string interval_line(const Forecast& robust, const Forecast* paper);
std::string forecast_log_line(const Forecast& f);

}  // namespace carbontracker::tracker

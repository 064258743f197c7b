"""The Python carbontracker's public constants, same names and values, for code that imports them
(``from carbontracker.constants import PUE_2023``).

PUE_<year>: global average Power Usage Effectiveness of data centres from the Uptime Institute's
annual surveys, the coefficients the Python tool names (it applies PUE_2023). Our tracker takes
its PUE from the ``pue`` parameter (docs/python.md). WORLD_2019_CARBON_INTENSITY is the Python
tool's world-average fallback in gCO2eq/kWh; ours is the Ember world average and is always
labelled where it is used.
"""

__all__ = ["PUE_2020", "PUE_2021", "PUE_2022", "PUE_2023", "WORLD_2019_CARBON_INTENSITY"]

# Uptime Institute Annual Data Center Survey 2020 (Rhonda Ascierto, 2020-2021).
PUE_2020 = 1.59
# Uptime Institute 2021 Data Center Industry Survey.
PUE_2021 = 1.57
# Uptime Institute 2022 Data Center Industry Survey.
PUE_2022 = 1.55
# Daniel Bizo, 2023, Uptime Institute Global Data Center Survey ("Global PUEs: are they going
# anywhere?"); the coefficient the Python tool multiplies its figures by.
PUE_2023 = 1.58

# gCO2eq/kWh: the Python tool's world average of electricity production (IEA 2019 originally,
# updated 2024 from Statista's power-sector figures).
WORLD_2019_CARBON_INTENSITY = 481

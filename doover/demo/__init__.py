"""The parts of ``doover demo``: a tank-level story told with real parts on one machine.

Private to the CLI: nothing here is imported by ``import doover``, ``doover.api`` or
``doover.processor``. The modules are:

* :mod:`doover.demo._tank_app`: the simulated Modbus tank sensor and the edge app that reads it;
* :mod:`doover.demo._alert_processor`: the threshold-alert processor (``handler`` is its
  Lambda entry point, hosted by the emulator as ``doover.demo._alert_processor:handler``);
* :mod:`doover.demo._story`: starts everything, takes the emulator down midway, tells what happened;
* :mod:`doover.demo._timeline`: the printed timeline, progress line and summary;
* :mod:`doover.demo._quick`: the short DataClient-only story (``doover demo --quick``).
"""

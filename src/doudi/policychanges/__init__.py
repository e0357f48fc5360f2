"""Changes to policy parameters: proposal, simulation, second-officer approval.

The shipped YAML files under ``doudi/policy/params`` are the defaults. A city
administrator (the policy officer) proposes a dated value here, a second one
approves it, and ``effective.effective_parameters`` applies every approved
change on top of the files.
"""

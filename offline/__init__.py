"""Run the Pulumi program without the Pulumi CLI or AWS: Pulumi mocks, a recorded plan, a printer.

``make plan STACK=dev`` uses ``offline.plan``; the tests use ``offline.run.run_stack`` and
``offline.run.run_program``.

Imports go one way, from the commands down to the runner (the import-linter contracts in
``pyproject.toml`` fail on a circle):

- ``plan`` composes the run, the cost totals and the policy verdicts;
- ``policy_check``, ``cost`` and ``diagram`` each read one plan (``pack_config`` resolves the pack
  config, ``cli`` reports a user's error the same way in every command);
- ``preview_json`` turns a run into ``pulumi preview --json``, ``analyzer_view`` turns that JSON
  into what CrossGuard policies get, ``plan_file`` reads a plan file;
- ``run`` runs the program under ``mocks``.
"""

"""Run the Pulumi program without the Pulumi CLI or AWS: Pulumi mocks, a recorded plan, a printer.

``make plan STACK=dev`` uses ``offline.plan``; the tests use ``offline.run.run_stack`` and
``offline.run.run_program``.
"""

"""The bootstrap project's own code: the state backend, the deploy roles and their permissions.

Run once per account with ``pulumi -C bootstrap up``; the app stacks never import it.
"""

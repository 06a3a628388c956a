"""Pure rules of key-account management: no SQL, no UI, no clock.

Every rule that depends on the date takes ``today`` as an argument.
"""

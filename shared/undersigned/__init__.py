"""Undersigned: the domain, store, mail, tokens and tally that the Lambda functions share."""

"""Personal data: ``redact_pii`` (emails, phones, IP addresses, payment cards, IBANs, NIF, CPF, CNPJ)."""

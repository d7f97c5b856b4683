"""The customer's demo: the two 2024 events of A/AC.105/1341 and an upcoming edition of each."""

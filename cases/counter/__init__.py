"""The counter and the phone: an agent records the case of a usager who came in person or
called (``counter_case_create``), and the answer they gave there, which reaches the usager
without any delivery (``case_record_answer_given``). Pages in views.py, the writes in
services.py, reusing the case services' pieces (cases/services/)."""

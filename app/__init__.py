"""The Streamlit web UI, thin over report_rag. Installed as `report_rag_app` (a name of the
project's own); `report-rag app` starts it."""

"""The Streamlit UI (thin over report_rag)."""

vouch_fuzzer(sevsnp_report SOURCES sevsnp_report_fuzz.cc DEPS sevsnp)
vouch_fuzzer(sevsnp_cert_table SOURCES sevsnp_cert_table_fuzz.cc DEPS sevsnp)
vouch_fuzzer(sevsnp_maa SOURCES sevsnp_maa_fuzz.cc DEPS sevsnp)
vouch_fuzzer(azure_hcl SOURCES sevsnp_azure_hcl_fuzz.cc DEPS azure_cvm)

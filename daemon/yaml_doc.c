/* yaml_doc.c - placeholder until the module lands */
typedef int yaml_doc_placeholder;
